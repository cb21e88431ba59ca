# The campaign's numbers beside the papers' (snakemake validation): validation.csv in
# the results folder, one row per published number this model and these stages can
# measure (mgrelax/published_values.yaml), with ours, its interval and a verdict; the
# measured cost of this campaign's LAMMPS runs and what the paper configs would cost.
# A campaign below results/validation/ (config/validation*.yaml) also rewrites
# results/validation/validation.csv, the rows of every validation campaign.

from pathlib import Path

VALIDATION_CAMPAIGNS = "results/validation"
PAPER_CONFIGS = sorted(str(path) for path in Path(workflow.basedir, "config").glob("paper_*.yaml"))
IN_VALIDATION = RESULTS.startswith(VALIDATION_CAMPAIGNS + "/")


def validation_inputs():
    """The summaries this campaign makes, by name (only the stages it runs)."""
    inputs = {"provenance": rules.provenance.output.table,
              "glass_transition": rules.glass_summary.output.glass_transition}
    if COOLING_RATE_STUDY:
        inputs["tg_cooling_rate"] = TG_RATE_TABLE
    if DMS_SETTINGS["periods"]:
        inputs |= {name: getattr(rules.dms_summary.output, name)
                   for name in ("spectra", "correspondence", "scaling_law")}
        inputs["alpha_relaxation"] = rules.scattering_summary.output.table
    if METAD_TEMPERATURES:
        inputs["activation"] = rules.metad_summary.output.activation
        inputs["metad_spectra"] = rules.metad_summary.output.spectra
    if SIZE["cutoffs"]:
        inputs["cluster_size"] = rules.metad_size_convergence.output.table
    if ART_ON:
        inputs["art_summary"] = rules.art_events.output.summary
    return inputs


rule validation:
    input:
        **validation_inputs(),
        paper_configs=PAPER_CONFIGS,
    output:
        table=RESULTS + "/validation.csv",
        costs=RESULTS + "/cost_model.csv",
        page=report(RESULTS + "/validation.html", caption="../report/validation.rst",
                    category="Validation"),
        **({"combined": VALIDATION_CAMPAIGNS + "/validation.csv"} if IN_VALIDATION else {}),
    params:
        settings=settings_of("validation"),
    log:
        LOGS + "/validation.log",
    script:
        "../../scripts/validation.py"
