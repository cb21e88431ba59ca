"""Snakemake step: moduli against strain amplitude at one state point (linearity)."""

from mgrelax.dms.summary import write_amplitude_sweep
from mgrelax.step import step_context

context = step_context(snakemake, "dms")
write_amplitude_sweep(snakemake.input.fits, snakemake.output, context.model)
