"""Snakemake step: one oscillatory-strain run, its fit (moduli, phase, loss factor) and
the snapshots at its start and after one period."""

from pathlib import Path

from mgrelax.dms.jobs import dms_job, fit_record, publish_cycle_frames, state_point
from mgrelax.jobs import run_job
from mgrelax.lammps_io import write_json
from mgrelax.step import step_context

context = step_context(snakemake, "dms")
wildcards, output = snakemake.wildcards, snakemake.output
settings = context.config["dms"]
state = state_point(wildcards)
job = dms_job(context.config, context.model, state["temperature"], state["period"],
              state["amplitude"], state["mode"], settings["cycles"], Path(output.series).parent,
              Path(snakemake.input.glass), context.provenance())
record = run_job(job, context.launch)
publish_cycle_frames(job, Path(output.start), Path(output.one_period))
fit = fit_record(Path(output.series), state, settings["skip_cycles"], context.model, record)
write_json(output.fit, fit)
