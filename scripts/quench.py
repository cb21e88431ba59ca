"""Snakemake step: quench the liquid through Tg, recording V, E and H against T."""

from pathlib import Path

from mgrelax.glass import quench_job, series_to_hdf5
from mgrelax.jobs import run_job
from mgrelax.step import step_context

context = step_context(snakemake, "glass")
directory = Path(snakemake.output.data).parent
job = quench_job(context.config, context.model, directory, Path(snakemake.input.liquid),
                 context.provenance())
record = run_job(job, context.launch)
series_to_hdf5(Path(snakemake.output.series), Path(snakemake.output.table), context.model,
               context.config["n_atoms"], record)
