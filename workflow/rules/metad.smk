# Well-tempered metadynamics with Colvars on clusters of the equilibrated glasses:
# one LAMMPS job per (temperature, cutoff, run), each stopping once its CV has
# crossed a resolved saddle; then barrier spectra, single-barrier reductions,
# activation energy and entropy, frequencies, and the cluster-size convergence.

from mgrelax.plan import metad_campaign_jobs, metad_size_series_jobs

METAD = RESULTS + "/metad"
METAD_RUN = METAD + "/T{temperature}/r{cutoff}/run{run}"
METAD_SETTINGS = config["metad"]
METAD_TEMPERATURES = [number_label(t) for t in METAD_SETTINGS["temperatures"]]
SIZE = METAD_SETTINGS["size_convergence"]


wildcard_constraints:
    cutoff=r"first_peak|first_minimum|[0-9.]+",
    run=r"\d+",


def metad_glass_file(rule_output):
    """``rule_output`` of the glass stage for the sample a run's cluster is taken from."""

    def of_run(wildcards):
        return expand(rule_output, sample=int(wildcards.run) % len(SAMPLES),
                      temperature=wildcards.temperature)[0]

    return of_run


def campaign_runs(rule_output):
    """``rule_output`` of every run at the metadynamics temperatures and cutoff."""
    return expand_jobs(rule_output, metad_campaign_jobs(config))


def size_series_runs(rule_output):
    """``rule_output`` of every run of the cluster-size series."""
    return expand_jobs(rule_output, metad_size_series_jobs(config))


rule metad:
    input:
        glass=metad_glass_file(rules.equilibrate.output.data),
        peaks=metad_glass_file(rules.equilibrate.output.peaks),
    output:
        record=METAD_RUN + "/run.json",
        trajectory=METAD_RUN + "/trajectory.csv",
        hills=METAD_RUN + "/hills.csv",
        profile=METAD_RUN + "/free_energy.csv",
    params:
        settings=settings_of("metad"),
    log:
        LOGS + "/metad/T{temperature}/r{cutoff}/run{run}.log",
    threads: lammps_threads("metad")
    resources:
        **lammps_resources("metad"),
    group:
        "metad_runs"
    script:
        "../../scripts/metad.py"


rule metad_run_figure:
    input:
        record=rules.metad.output.record,
        trajectory=rules.metad.output.trajectory,
        profile=rules.metad.output.profile,
    output:
        **figure_files("figure", METAD_RUN + "/run"),
    params:
        settings=settings_of("metad_run_figure"),
        figure_style=FIGURE_STYLE,
    log:
        LOGS + "/metad/T{temperature}/r{cutoff}/run{run}_figure.log",
    script:
        "../../scripts/metad_run_figure.py"


rule metad_summary:
    input:
        records=campaign_runs(rules.metad.output.record),
        # the profile at a run's end bounds the barrier of a run that did not cross
        profiles=campaign_runs(rules.metad.output.profile),
        art=[rules.art_events.output.summary] if ART_ON else [],
    output:
        barriers=METAD + "/barriers.csv",
        spectra=METAD + "/spectra.csv",
        activation=METAD + "/activation.json",
        **figure_files("run_figure", METAD + "/figures/run", category="Metadynamics",
                       caption="../report/metad_run.rst"),
        **figure_files("spectra_figure", METAD + "/figures/spectra", category="Metadynamics",
                       caption="../report/metad_spectra.rst"),
        **figure_files("convergence_figure", METAD + "/figures/convergence",
                       category="Metadynamics",
                       caption="../report/metad_convergence.rst"),
        **figure_files("activation_figure", METAD + "/figures/activation",
                       category="Metadynamics",
                       caption="../report/metad_activation.rst"),
        **figure_files("arrhenius_figure", METAD + "/figures/arrhenius",
                       category="Metadynamics",
                       caption="../report/metad_arrhenius.rst"),
    params:
        settings=settings_of("metad_summary"),
        figure_style=FIGURE_STYLE,
    log:
        LOGS + "/metad/summary.log",
    script:
        "../../scripts/metad_summary.py"


rule metad_size_convergence:
    input:
        records=size_series_runs(rules.metad.output.record),
        structure=expand(rules.equilibrate.output.structure, sample=0,
                         temperature=number_label(SIZE.get("temperature", 0))),
    output:
        table=METAD + "/cluster_size.csv",
        **figure_files("figure", METAD + "/figures/cluster_size", category="Metadynamics",
                       caption="../report/metad_cluster_size.rst"),
    params:
        settings=settings_of("metad_size_convergence"),
        figure_style=FIGURE_STYLE,
    log:
        LOGS + "/metad/cluster_size.log",
    script:
        "../../scripts/metad_size_convergence.py"


METAD_RUN_FIGURES = (campaign_runs(rules.metad_run_figure.output)
                     + size_series_runs(rules.metad_run_figure.output)
                     if METAD_TEMPERATURES else [])


rule metad_all:
    input:
        rules.metad_summary.output if METAD_TEMPERATURES else [],
        rules.metad_size_convergence.output if SIZE["cutoffs"] else [],
