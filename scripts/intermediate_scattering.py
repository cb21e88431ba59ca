"""Snakemake step: unstrained NVT run, F_s(q1, t) at the first peak of S(q), KWW fit."""

from pathlib import Path

from mgrelax.jobs import run_job
from mgrelax.lammps_io import write_json
from mgrelax.scattering.jobs import scattering_job, scattering_record
from mgrelax.step import step_context

context = step_context(snakemake, "scattering")
output = snakemake.output
temperature = float(snakemake.wildcards.temperature)
job = scattering_job(context.config, context.model, temperature, Path(output.table).parent,
                     Path(snakemake.input.glass), context.provenance())
record = run_job(job, context.launch)
fit = scattering_record(job, Path(snakemake.input.structure), Path(output.table), context.model,
                        context.config, record)
write_json(output.fit, {"sample": int(snakemake.wildcards.sample), "temperature": temperature,
                        "temperature_unit": context.model.units.temperature, **fit})
