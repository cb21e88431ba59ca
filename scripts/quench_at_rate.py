"""Snakemake step: quench the liquid at one rate of the cooling-rate study
(glass_transition.cooling_rates) instead of quench.cooling_rate, recording V, E and H
against T."""

import dataclasses
from pathlib import Path

from mgrelax.glass import quench_job, series_to_hdf5
from mgrelax.jobs import run_job
from mgrelax.step import step_context

context = step_context(snakemake, "glass")
config = context.config
context = dataclasses.replace(context, config={
    **config, "quench": {**config["quench"], "cooling_rate": snakemake.params.cooling_rate}})
directory = Path(snakemake.output.data).parent
job = quench_job(context.config, context.model, directory, Path(snakemake.input.liquid),
                 context.provenance())
record = run_job(job, context.launch)
series_to_hdf5(Path(snakemake.output.series), Path(snakemake.output.table), context.model,
               context.config["n_atoms"], record)
