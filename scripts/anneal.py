"""Snakemake step: sub-Tg annealing of the quenched glass."""

from pathlib import Path

from mgrelax.glass.jobs import anneal_job
from mgrelax.jobs import run_job
from mgrelax.step import step_context

context = step_context(snakemake, "glass")
directory = Path(snakemake.output.data).parent
job = anneal_job(context.config, context.model, directory, Path(snakemake.input.quenched),
                 context.provenance())
run_job(job, context.launch)
