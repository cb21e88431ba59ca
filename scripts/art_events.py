"""Snakemake step: the ART events of every batch in one table, duplicates marked, and
the spectrum statistics."""

from mgrelax.art.summary import write_art_events
from mgrelax.step import step_context

context = step_context(snakemake, "art")
write_art_events(snakemake.input.batches, snakemake.output, context.config)
