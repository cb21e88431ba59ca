"""Snakemake step: melt a random configuration and check that it is a liquid."""

from pathlib import Path

from mgrelax.glass.jobs import check_liquid, melt_job, seeds
from mgrelax.jobs import run_job
from mgrelax.lammps_io import write_json
from mgrelax.step import step_context

context = step_context(snakemake, "glass")
sample = int(snakemake.wildcards.sample)
directory = Path(snakemake.output.data).parent
job = melt_job(context.config, context.model, sample, directory,
               context.provenance(**seeds(context.config, sample)))
run_job(job, context.launch)
write_json(snakemake.output.check, check_liquid(context.config, context.model, directory))
