"""Snakemake step: the correspondence point's last cycle in each loading mode (Fusco Fig. 9)."""

from mgrelax.dms.figures import loading_modes_plot
from mgrelax.step import step_context

context = step_context(snakemake, "dms")
loading_modes_plot(snakemake.input.series, snakemake.input.fits, context.model,
                   snakemake.output.figure, snakemake.output.figure_pdf)
