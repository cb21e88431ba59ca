# Well-tempered metadynamics with Colvars on clusters of the equilibrated glasses:
# one LAMMPS job per (temperature, cutoff, run), each stopping once its CV has
# crossed a resolved saddle; then barrier spectra, single-barrier reductions,
# activation energy and entropy, frequencies, and the cluster-size convergence.

METAD = f"{RESULTS}/metad"
METAD_RUN = f"{METAD}/T{{temperature}}/r{{cutoff}}/run{{run}}"
METAD_SETTINGS = config["metad"]
METAD_TEMPERATURES = [number_label(t) for t in METAD_SETTINGS["temperatures"]]
SIZE = METAD_SETTINGS["size_convergence"]


wildcard_constraints:
    cutoff=r"first_peak|first_minimum|[0-9.]+",
    run=r"\d+",


rule metad:
    input:
        glass=glass_of_metad_run(rules.equilibrate.output.data),
        peaks=glass_of_metad_run(rules.equilibrate.output.peaks),
    output:
        record=f"{METAD_RUN}/run.json",
        trajectory=f"{METAD_RUN}/trajectory.csv",
        hills=f"{METAD_RUN}/hills.csv",
        profile=f"{METAD_RUN}/free_energy.csv",
    log:
        f"{LOGS}/metad/T{{temperature}}/r{{cutoff}}/run{{run}}.log",
    group:
        "metad_runs"
    conda:
        "../envs/mgrelax.yaml"
    threads: lammps_threads("metad")
    resources:
        **lammps_resources("metad"),
    params:
        settings=settings_of("metad"),
    script:
        "../../scripts/metad.py"


rule metad_run_figure:
    input:
        record=rules.metad.output.record,
        trajectory=rules.metad.output.trajectory,
        profile=rules.metad.output.profile,
    output:
        **figure_files("figure", f"{METAD_RUN}/run"),
    log:
        f"{LOGS}/metad/T{{temperature}}/r{{cutoff}}/run{{run}}_figure.log",
    conda:
        "../envs/mgrelax.yaml"
    params:
        settings=settings_of("metad_run_figure"),
        figure_style=FIGURE_STYLE,
    script:
        "../../scripts/metad_run_figure.py"


rule metad_summary:
    input:
        records=metad_campaign_runs(rules.metad.output.record),
        # the profile at a run's end bounds the barrier of a run that did not cross
        profiles=metad_campaign_runs(rules.metad.output.profile),
        art=[rules.art_events.output.summary] if ART_ON else [],
    output:
        **figure_files(
            "run_figure",
            f"{METAD}/figures/run",
            category="Metadynamics",
            caption="../report/metad_run.rst",
        ),
        **figure_files(
            "spectra_figure",
            f"{METAD}/figures/spectra",
            category="Metadynamics",
            caption="../report/metad_spectra.rst",
        ),
        **figure_files(
            "convergence_figure",
            f"{METAD}/figures/convergence",
            category="Metadynamics",
            caption="../report/metad_convergence.rst",
        ),
        **figure_files(
            "activation_figure",
            f"{METAD}/figures/activation",
            category="Metadynamics",
            caption="../report/metad_activation.rst",
        ),
        **figure_files(
            "arrhenius_figure",
            f"{METAD}/figures/arrhenius",
            category="Metadynamics",
            caption="../report/metad_arrhenius.rst",
        ),
        barriers=f"{METAD}/barriers.csv",
        spectra=f"{METAD}/spectra.csv",
        activation=f"{METAD}/activation.json",
    log:
        f"{LOGS}/metad/summary.log",
    conda:
        "../envs/mgrelax.yaml"
    params:
        settings=settings_of("metad_summary"),
        figure_style=FIGURE_STYLE,
    script:
        "../../scripts/metad_summary.py"


rule metad_size_convergence:
    input:
        records=metad_size_series_runs(rules.metad.output.record),
        structure=expand(
            rules.equilibrate.output.structure,
            sample=0,
            temperature=number_label(SIZE.get("temperature", 0)),
        ),
    output:
        **figure_files(
            "figure",
            f"{METAD}/figures/cluster_size",
            category="Metadynamics",
            caption="../report/metad_cluster_size.rst",
        ),
        table=f"{METAD}/cluster_size.csv",
    log:
        f"{LOGS}/metad/cluster_size.log",
    conda:
        "../envs/mgrelax.yaml"
    params:
        settings=settings_of("metad_size_convergence"),
        figure_style=FIGURE_STYLE,
    script:
        "../../scripts/metad_size_convergence.py"


METAD_RUN_FIGURES = (
    metad_campaign_runs(rules.metad_run_figure.output)
    + metad_size_series_runs(rules.metad_run_figure.output)
    if METAD_TEMPERATURES
    else []
)


rule metad_all:
    input:
        rules.metad_summary.output if METAD_TEMPERATURES else [],
        rules.metad_size_convergence.output if SIZE["cutoffs"] else [],
