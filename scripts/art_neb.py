"""Snakemake step: climbing-image NEB on the first unique verified ART events and the
comparison of the barriers."""

from mgrelax.art.neb_check import write_neb_check
from mgrelax.step import step_context

context = step_context(snakemake, "art")
write_neb_check(snakemake.input.events, dict(enumerate(snakemake.input.inherent)),
                snakemake.output, context.config, context.model, context.launch)
