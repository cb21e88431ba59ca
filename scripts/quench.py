"""Snakemake step: quench the liquid through Tg, recording V, E and H against T; at
quench.cooling_rate, or at the rate of the cooling-rate study given as the param
``cooling_rate`` (glass_transition.cooling_rates)."""

import dataclasses
from pathlib import Path

from mgrelax.glass.jobs import quench_job, series_to_hdf5
from mgrelax.jobs import run_job
from mgrelax.step import step_context

context = step_context(snakemake, "glass")
rate = getattr(snakemake.params, "cooling_rate", None)
if rate is not None:
    config = context.config
    context = dataclasses.replace(context, config={
        **config, "quench": {**config["quench"], "cooling_rate": rate}})
directory = Path(snakemake.output.data).parent
job = quench_job(context.config, context.model, directory, Path(snakemake.input.liquid),
                 context.provenance())
record = run_job(job, context.launch)
series_to_hdf5(Path(snakemake.output.series), Path(snakemake.output.table), context.model,
               context.config["n_atoms"], record)
