# Self-intermediate scattering function F_s(q1, t) from unstrained NVT runs at the
# DMS temperatures, with its KWW fit (alpha-relaxation time and stretching).

SCATTERING = f"{RESULTS}/scattering"


rule intermediate_scattering:
    input:
        glass=rules.equilibrate.output.data,
        structure=rules.equilibrate.output.structure,
    output:
        table=f"{SCATTERING}/sample{{sample}}/T{{temperature}}/fs.h5",
        fit=f"{SCATTERING}/sample{{sample}}/T{{temperature}}/fs_fit.json",
    log:
        f"{LOGS}/scattering/sample{{sample}}/T{{temperature}}.log",
    conda:
        "../envs/mgrelax.yaml"
    threads: lammps_threads("scattering")
    resources:
        **lammps_resources("scattering"),
    params:
        settings=settings_of("intermediate_scattering"),
    script:
        "../../scripts/intermediate_scattering.py"


rule scattering_summary:
    input:
        tables=expand(
            rules.intermediate_scattering.output.table,
            sample=SAMPLES,
            temperature=DMS_TEMPERATURES,
        ),
        fits=expand(
            rules.intermediate_scattering.output.fit, sample=SAMPLES, temperature=DMS_TEMPERATURES
        ),
    output:
        **figure_files(
            "figure",
            f"{SCATTERING}/figures/intermediate_scattering",
            category="Relaxation",
            caption="../report/intermediate_scattering.rst",
        ),
        table=f"{SCATTERING}/alpha_relaxation.csv",
    log:
        f"{LOGS}/scattering/summary.log",
    conda:
        "../envs/mgrelax.yaml"
    params:
        settings=settings_of("scattering_summary"),
        figure_style=FIGURE_STYLE,
    script:
        "../../scripts/scattering_summary.py"


rule scattering_all:
    input:
        rules.scattering_summary.output if DMS_SETTINGS["periods"] else [],
