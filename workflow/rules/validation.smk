# The campaign's numbers beside the papers' (snakemake validation): validation.csv in
# the results folder, one row per published number this model and these stages can
# measure (mgrelax/published_values.yaml), with ours, its interval and a verdict; the
# measured cost of this campaign's LAMMPS runs and what the paper configs would cost.
# A campaign below results/validation/ (config/validation*.yaml) also rewrites
# results/validation/validation.csv, the rows of every validation campaign.

from pathlib import Path

VALIDATION_CAMPAIGNS = "results/validation"
# the paper configs shipped with the workflow (found from this file, also in a module)
PAPER_CONFIGS = sorted(
    str(path)
    for path in Path(workflow.current_basedir, "../../config").resolve().glob("paper_*.yaml")
)
IN_VALIDATION = RESULTS.startswith(f"{VALIDATION_CAMPAIGNS}/")


# The summaries this campaign makes, by name (only the stages it runs).
VALIDATION_INPUTS = {
    "provenance": rules.provenance.output.table,
    "glass_transition": rules.glass_summary.output.glass_transition,
}
if COOLING_RATE_STUDY:
    VALIDATION_INPUTS["tg_cooling_rate"] = TG_RATE_TABLE
if DMS_SETTINGS["periods"]:
    VALIDATION_INPUTS |= {
        name: getattr(rules.dms_summary.output, name)
        for name in ("spectra", "correspondence", "scaling_law")
    }
    VALIDATION_INPUTS["alpha_relaxation"] = rules.scattering_summary.output.table
if METAD_TEMPERATURES:
    VALIDATION_INPUTS["activation"] = rules.metad_summary.output.activation
    VALIDATION_INPUTS["metad_spectra"] = rules.metad_summary.output.spectra
if SIZE["cutoffs"]:
    VALIDATION_INPUTS["cluster_size"] = rules.metad_size_convergence.output.table
if ART_ON:
    VALIDATION_INPUTS["art_summary"] = rules.art_events.output.summary


rule validation:
    input:
        **VALIDATION_INPUTS,
        paper_configs=PAPER_CONFIGS,
    output:
        **({"combined": f"{VALIDATION_CAMPAIGNS}/validation.csv"} if IN_VALIDATION else {}),
        table=f"{RESULTS}/validation.csv",
        costs=f"{RESULTS}/cost_model.csv",
        page=report(
            f"{RESULTS}/validation.html", caption="../report/validation.rst", category="Validation"
        ),
    log:
        f"{LOGS}/validation.log",
    conda:
        "../envs/mgrelax.yaml"
    params:
        settings=settings_of("validation"),
    script:
        "../../scripts/validation.py"
