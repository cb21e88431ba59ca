"""Snakemake step: inherent structure of an equilibrated glass by energy minimisation."""

from pathlib import Path

from mgrelax.glass import inherent_structure_job, minimization_record
from mgrelax.jobs import run_job
from mgrelax.lammps_io import write_json
from mgrelax.step import step_context

context = step_context(snakemake, "glass")
directory = Path(snakemake.output.data).parent
job = inherent_structure_job(context.config, context.model, directory, Path(snakemake.input.glass),
                             context.provenance())
record = run_job(job, context.launch)
write_json(snakemake.output.summary, minimization_record(directory, context.model, record))
