"""Snakemake step: bring the annealed glass to one temperature, equilibrate, measure g(r)."""

from pathlib import Path

from mgrelax.glass.jobs import equilibrate_job, structure_of_hold
from mgrelax.jobs import run_job
from mgrelax.step import step_context

context = step_context(snakemake, "glass")
temperature = float(snakemake.wildcards.temperature)
directory = Path(snakemake.output.data).parent
job = equilibrate_job(context.config, context.model, temperature, directory,
                      Path(snakemake.input.annealed), context.provenance())
record = run_job(job, context.launch)
structure_of_hold(job, context.config, context.model, Path(snakemake.output.structure),
                  Path(snakemake.output.peaks), record)
