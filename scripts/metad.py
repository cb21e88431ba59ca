"""Snakemake step: one well-tempered metadynamics run on a cluster of the glass, its CV
trajectory, hills, free-energy profile, barrier and figure."""

from pathlib import Path

from mgrelax.metad.jobs import metad_step
from mgrelax.step import step_context

context = step_context(snakemake, "metad")
wildcards = snakemake.wildcards
state = {"temperature": float(wildcards.temperature), "cutoff": wildcards.cutoff,
         "run": int(wildcards.run), "sample": int(wildcards.run) % context.config["samples"]}
metad_step(context, state, Path(snakemake.input.glass), Path(snakemake.input.peaks),
           snakemake.output)
