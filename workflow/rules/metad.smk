# Well-tempered metadynamics with Colvars on clusters of the equilibrated glasses:
# one LAMMPS job per (temperature, cutoff, run), each stopping once its CV has
# crossed a resolved saddle; then barrier spectra, single-barrier reductions,
# activation energy and entropy, frequencies, and the cluster-size convergence.

from mgrelax.plan import cutoff_label

METAD = "results/metad"
METAD_RUN = METAD + "/T{temperature}/r{cutoff}/run{run}"
METAD_SETTINGS = config["metad"]
METAD_TEMPERATURES = [number_label(t) for t in METAD_SETTINGS["temperatures"]]
METAD_RUNS = range(len(METAD_SETTINGS["centres"]) or METAD_SETTINGS["samples"])
SIZE = METAD_SETTINGS["size_convergence"]
SIZE_RUNS = range(SIZE.get("samples", len(METAD_RUNS)))


wildcard_constraints:
    cutoff=r"first_peak|first_minimum|[0-9.]+",
    run=r"\d+",


def metad_glass_file(rule_output):
    """``rule_output`` of the glass stage for the sample a run's cluster is taken from."""

    def of_run(wildcards):
        return expand(rule_output, sample=int(wildcards.run) % len(SAMPLES),
                      temperature=wildcards.temperature)[0]

    return of_run


rule metad:
    input:
        glass=metad_glass_file(rules.equilibrate.output.data),
        peaks=metad_glass_file(rules.equilibrate.output.peaks),
    output:
        record=METAD_RUN + "/run.json",
        trajectory=METAD_RUN + "/trajectory.csv",
        hills=METAD_RUN + "/hills.csv",
        profile=METAD_RUN + "/free_energy.csv",
        figure=METAD_RUN + "/run.png",
        figure_pdf=METAD_RUN + "/run.pdf",
    log:
        "logs/metad/T{temperature}/r{cutoff}/run{run}.log",
    threads: lammps_threads("metad")
    resources:
        **lammps_resources("metad"),
    group:
        "metad_runs"
    script:
        "../../scripts/metad.py"


rule metad_summary:
    input:
        records=expand(rules.metad.output.record, temperature=METAD_TEMPERATURES,
                       cutoff=cutoff_label(METAD_SETTINGS["cutoff"]), run=METAD_RUNS),
        art=[rules.art_events.output.summary] if ART_ON else [],
    output:
        barriers=METAD + "/barriers.csv",
        spectra=METAD + "/spectra.csv",
        activation=METAD + "/activation.json",
        run_figure=report(METAD + "/figures/run.png", caption="../report/metad_run.rst",
                          category="Metadynamics"),
        run_figure_pdf=METAD + "/figures/run.pdf",
        spectra_figure=report(METAD + "/figures/spectra.png",
                              caption="../report/metad_spectra.rst", category="Metadynamics"),
        spectra_figure_pdf=METAD + "/figures/spectra.pdf",
        convergence_figure=report(METAD + "/figures/convergence.png",
                                  caption="../report/metad_convergence.rst",
                                  category="Metadynamics"),
        convergence_figure_pdf=METAD + "/figures/convergence.pdf",
        activation_figure=report(METAD + "/figures/activation.png",
                                 caption="../report/metad_activation.rst",
                                 category="Metadynamics"),
        activation_figure_pdf=METAD + "/figures/activation.pdf",
        arrhenius_figure=report(METAD + "/figures/arrhenius.png",
                                caption="../report/metad_arrhenius.rst", category="Metadynamics"),
        arrhenius_figure_pdf=METAD + "/figures/arrhenius.pdf",
    log:
        "logs/metad/summary.log",
    script:
        "../../scripts/metad_summary.py"


rule metad_size_convergence:
    input:
        records=expand(rules.metad.output.record,
                       temperature=number_label(SIZE.get("temperature", 0)),
                       cutoff=map(cutoff_label, SIZE["cutoffs"]), run=SIZE_RUNS),
        structure=expand(rules.equilibrate.output.structure, sample=0,
                         temperature=number_label(SIZE.get("temperature", 0))),
    output:
        table=METAD + "/cluster_size.csv",
        figure=report(METAD + "/figures/cluster_size.png",
                      caption="../report/metad_cluster_size.rst", category="Metadynamics"),
        figure_pdf=METAD + "/figures/cluster_size.pdf",
    log:
        "logs/metad/cluster_size.log",
    script:
        "../../scripts/metad_size_convergence.py"


rule metad_all:
    input:
        rules.metad_summary.output if METAD_TEMPERATURES else [],
        rules.metad_size_convergence.output if SIZE["cutoffs"] else [],
