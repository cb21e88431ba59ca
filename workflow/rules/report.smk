# Provenance of every LAMMPS run of the campaign, for the HTML report and for readers.


rule provenance:
    input:
        rules.glass.input,
        rules.dms_all.input,
        rules.scattering_all.input,
        rules.metad_all.input,
        rules.art_all.input,
    output:
        table=RESULTS + "/provenance.csv",
        page=report(RESULTS + "/provenance.html", caption="../report/provenance.rst",
                    category="Provenance"),
    params:
        settings=settings_of("provenance"),
    script:
        "../../scripts/provenance_table.py"


rule verify:
    # Every published LAMMPS output against the SHA-256 in its run's provenance.json
    # (snakemake verify): fails and names the files that are missing or changed.
    localrule: True
    params:
        results=RESULTS,
    script:
        "../../scripts/verify_results.py"
