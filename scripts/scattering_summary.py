"""Snakemake step: alpha-relaxation times of every state, their means, and the F_s figure."""

from mgrelax.scattering.summary import write_scattering_summary
from mgrelax.step import step_context

context = step_context(snakemake, "scattering")
write_scattering_summary(snakemake.input.tables, snakemake.input.fits, snakemake.output,
                         context.model)
