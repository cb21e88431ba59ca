# ART nouveau at 0 K on the clusters of the metadynamics stage: batches of searches
# from the inherent structure of each glass sample (one serial LAMMPS energy surface
# per job, resumable search by search); then the events table with duplicates
# marked, the activation-energy spectrum and its statistics; then climbing-image NEB
# on the first unique events as the independent check of their barriers.

from mgrelax.plan import batches

ART = f"{RESULTS}/art"
ART_SETTINGS = config["art"]
ART_NEB = ART_SETTINGS["neb"]
ART_ON = ART_SETTINGS["centres"] > 0
ART_NEB_RANKS = ART_NEB["replicas"] if ART_ON and ART_NEB["events"] else 1
"""One MPI rank per NEB replica; 1 where no NEB runs (its launcher may then be 'none')."""
ART_SAMPLES = range(min(ART_SETTINGS["centres"], len(SAMPLES)))
ART_BATCHES = [
    (sample, batch)
    for sample in ART_SAMPLES
    for batch in range(len(batches(ART_SETTINGS, len(SAMPLES), sample)))
]
ART_TEMPERATURE = number_label(ART_SETTINGS.get("temperature", 0))


wildcard_constraints:
    batch=r"\d+",


# The batches, their events and the NEB check are the campaign's longest chain of
# single-core jobs: they go first whenever they are ready, so that the NEB check does
# not run alone at the end while the other core idles.
ART_PRIORITY = 10


rule art_batch:
    input:
        # the inherent structure its searches start from
        inherent=expand(
            rules.inherent_structure.output.data,
            temperature=ART_TEMPERATURE,
            allow_missing=True,
        )[0],
    output:
        events=f"{ART}/sample{{sample}}/batch{{batch}}/events.h5",
    log:
        f"{LOGS}/art/sample{{sample}}/batch{{batch}}.log",
    priority: ART_PRIORITY
    group:
        "art_searches"
    conda:
        "../envs/mgrelax.yaml"
    threads: 1
    resources:
        **lammps_resources("art", ranks=1),  # the engine drives one in-process LAMMPS
    params:
        settings=settings_of("art_batch"),
    script:
        "../../scripts/art_batch.py"


rule art_events:
    input:
        batches=[
            expand(rules.art_batch.output.events, sample=sample, batch=batch)[0]
            for sample, batch in ART_BATCHES
        ],
    output:
        events=f"{ART}/events.h5",
        table=f"{ART}/events.csv",
        summary=f"{ART}/summary.json",
    log:
        f"{LOGS}/art/events.log",
    priority: ART_PRIORITY
    conda:
        "../envs/mgrelax.yaml"
    params:
        settings=settings_of("art_events"),
    script:
        "../../scripts/art_events.py"


rule art_spectrum_figure:
    input:
        table=rules.art_events.output.table,
        summary=rules.art_events.output.summary,
    output:
        **figure_files(
            "figure",
            f"{ART}/figures/spectrum",
            category="ART nouveau",
            caption="../report/art_spectrum.rst",
        ),
    log:
        f"{LOGS}/art/spectrum_figure.log",
    conda:
        "../envs/mgrelax.yaml"
    params:
        settings=settings_of("art_spectrum_figure"),
        figure_style=FIGURE_STYLE,
    script:
        "../../scripts/art_spectrum_figure.py"


rule art_neb:
    input:
        events=rules.art_events.output.events,
        inherent=expand(
            rules.inherent_structure.output.data, sample=ART_SAMPLES, temperature=ART_TEMPERATURE
        ),
    output:
        table=f"{ART}/neb.csv",
    log:
        f"{LOGS}/art/neb.log",
    priority: ART_PRIORITY
    conda:
        "../envs/mgrelax.yaml"
    threads: lammps_threads("art", ranks=ART_NEB_RANKS)
    resources:
        **lammps_resources("art", ranks=ART_NEB_RANKS),
    params:
        settings=settings_of("art_neb"),
    script:
        "../../scripts/art_neb.py"


rule art_neb_figure:
    input:
        table=rules.art_neb.output.table,
    output:
        **figure_files(
            "figure", f"{ART}/figures/neb", category="ART nouveau", caption="../report/art_neb.rst"
        ),
    log:
        f"{LOGS}/art/neb_figure.log",
    conda:
        "../envs/mgrelax.yaml"
    params:
        settings=settings_of("art_neb_figure"),
        figure_style=FIGURE_STYLE,
    script:
        "../../scripts/art_neb_figure.py"


rule art_all:
    input:
        rules.art_spectrum_figure.output if ART_ON else [],
        rules.art_neb_figure.output if ART_ON and ART_NEB["events"] else [],
