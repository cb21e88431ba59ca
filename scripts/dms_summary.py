"""Snakemake step: DMS tables (moduli, spectra, correspondence, KWW loss fits, scaling
law) and figures."""

from mgrelax.dms.summary import write_dms_summary
from mgrelax.step import step_context

context = step_context(snakemake, "dms")
write_dms_summary(snakemake.input.fits, snakemake.input.displacements, snakemake.output,
                  context.model, context.config["dms"]["scaling_law"]["min_period"])
