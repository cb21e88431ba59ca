"""Snakemake step: one batch of ART nouveau searches on the clusters of a glass sample
(events table, resumable)."""

from mgrelax.art.jobs import run_batch
from mgrelax.step import step_context

context = step_context(snakemake, "art")
run_batch(context.config, context.model, snakemake.input.inherent, snakemake.output.events,
          int(snakemake.wildcards.sample), int(snakemake.wildcards.batch),
          context.provenance(art=context.config["art"]["seed"]))
