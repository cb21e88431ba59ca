"""Snakemake step: inherent structure of an equilibrated glass by energy minimisation."""

from pathlib import Path

from mgrelax.glass.jobs import inherent_structure_job, run_minimisations
from mgrelax.lammps_io import write_json
from mgrelax.step import step_context

context = step_context(snakemake, "glass")
directory = Path(snakemake.output.data).parent
job = inherent_structure_job(context.config, context.model, directory, Path(snakemake.input.glass),
                             context.provenance())
records = run_minimisations({"equilibrated glass": job}, context.config, context.model,
                            context.launch)
write_json(snakemake.output.summary, records["equilibrated glass"])
