"""Snakemake step: the spectrum of activation energies of the unique ART events."""

from mgrelax.art.figures import spectrum_plot
from mgrelax.step import step_context

step_context(snakemake, "art")
spectrum_plot(snakemake.input.table, snakemake.input.summary, snakemake.output.figure,
              snakemake.output.figure_pdf)
