"""Snakemake step: tables and figures of the glass stage over samples and temperatures."""

from mgrelax.glass.summary import write_glass_summary
from mgrelax.plan import number_label
from mgrelax.step import step_context

context = step_context(snakemake, "glass")
write_glass_summary(snakemake.input, snakemake.output, context.config, context.model,
                    samples=list(range(context.config["samples"])),
                    temperatures=[number_label(t) for t in context.config["temperatures"]])
