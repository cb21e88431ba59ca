"""Snakemake step: Tg against cooling rate, the line in log10(rate) and its extrapolation
to glass_transition.extrapolate_to (table and figure)."""

from mgrelax.glass.tg_rate import write_tg_rate_summary
from mgrelax.step import step_context

context = step_context(snakemake, "glass")
write_tg_rate_summary(snakemake.input.transitions, snakemake.params.cooling_rates,
                      snakemake.params.samples, snakemake.output, context.config,
                      context.model)
