# Provenance of every LAMMPS run of the campaign, for the HTML report and for readers.


rule provenance:
    input:
        rules.glass.input,
        rules.dms_all.input,
        rules.scattering_all.input,
        rules.metad_all.input,
        rules.art_all.input,
    output:
        table=f"{RESULTS}/provenance.csv",
        page=report(
            f"{RESULTS}/provenance.html", caption="../report/provenance.rst", category="Provenance"
        ),
    log:
        f"{LOGS}/provenance.log",
    conda:
        "../envs/mgrelax.yaml"
    params:
        settings=settings_of("provenance"),
    script:
        "../../scripts/provenance_table.py"


rule verify:
    log:
        f"{LOGS}/verify.log",
    # Every published LAMMPS output against the SHA-256 in its run's provenance.json
    # (snakemake verify): fails and names the files that are missing or changed.
    localrule: True
    conda:
        "../envs/mgrelax.yaml"
    params:
        results=RESULTS,
    script:
        "../../scripts/verify_results.py"
