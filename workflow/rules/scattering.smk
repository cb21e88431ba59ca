# Self-intermediate scattering function F_s(q1, t) from unstrained NVT runs at the
# DMS temperatures, with its KWW fit (alpha-relaxation time and stretching).

SCATTERING = RESULTS + "/scattering"


rule intermediate_scattering:
    input:
        glass=rules.equilibrate.output.data,
        structure=rules.equilibrate.output.structure,
    output:
        table=SCATTERING + "/sample{sample}/T{temperature}/fs.h5",
        fit=SCATTERING + "/sample{sample}/T{temperature}/fs_fit.json",
    params:
        settings=settings_of("intermediate_scattering"),
    log:
        LOGS + "/scattering/sample{sample}/T{temperature}.log",
    threads: lammps_threads("scattering")
    resources:
        **lammps_resources("scattering"),
    script:
        "../../scripts/intermediate_scattering.py"


rule scattering_summary:
    input:
        tables=expand(rules.intermediate_scattering.output.table, sample=SAMPLES,
                      temperature=DMS_TEMPERATURES),
        fits=expand(rules.intermediate_scattering.output.fit, sample=SAMPLES,
                    temperature=DMS_TEMPERATURES),
    output:
        table=SCATTERING + "/alpha_relaxation.csv",
        **figure_files("figure", SCATTERING + "/figures/intermediate_scattering",
                       category="Relaxation",
                       caption="../report/intermediate_scattering.rst"),
    params:
        settings=settings_of("scattering_summary"),
        figure_style=FIGURE_STYLE,
    log:
        LOGS + "/scattering/summary.log",
    script:
        "../../scripts/scattering_summary.py"


rule scattering_all:
    input:
        rules.scattering_summary.output if DMS_SETTINGS["periods"] else [],
