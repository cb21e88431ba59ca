# Metallic-glass relaxation workflow: LAMMPS driven by Snakemake.
# Run:  snakemake --cores all                 (config/config.yaml)
#       snakemake --cores all --configfile config/paper_yang2020.yaml
#       snakemake --cores all figures         (the figures only, with what they need)
#       snakemake --cores all run_figures     (a figure of every DMS and metadynamics run)
# Rules are in workflow/rules/, one file per stage; the Python they call is in
# mgrelax/ (LAMMPS launch, jobs, I/O) and analysis/ (pure analysis).

from snakemake.utils import min_version

min_version("9.0")


# The default campaign, unless one is given with --configfile, which then replaces
# it whole (Snakemake would merge the two: species and stages of both). --config
# key=value still overrides single keys of either.
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/glass.smk"
include: "workflow/rules/dms.smk"
include: "workflow/rules/scattering.smk"
include: "workflow/rules/art.smk"  # before metad: its summary takes the ART mean
include: "workflow/rules/metad.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/validation.smk"


rule figures:
    # Every figure of the stages the config turns on: PNG, vector PDF and the numbers
    # it plots as CSV, and the provenance table of the runs behind them; with the
    # results in place, only what changed is redrawn.
    input:
        rules.provenance.output,
        rules.glass_summary.output,
        rules.dms_all.input,
        rules.scattering_all.input,
        rules.metad_all.input,
        rules.art_all.input,


rule run_figures:
    # A figure of every single run: the last DMS cycle with its fit and the D2min slice
    # map of each DMS point, the CV trajectory and profile of each metadynamics run.
    input:
        DMS_RUN_FIGURES,
        METAD_RUN_FIGURES,


rule all:
    default_target: True
    input:
        rules.glass.input,
        rules.figures.input,
