"""Snakemake step: metadynamics tables (barriers, spectra, activation energy and entropy)
and figures (one run, spectra, convergence, Delta F(T) with the ART mean at 0 K when
the ART stage runs, Arrhenius plot)."""

from mgrelax.metad.summary import write_metad_summary
from mgrelax.step import step_context

context = step_context(snakemake, "metad")
settings = context.config["metad"]
write_metad_summary(snakemake.input.records, snakemake.output, settings["attempt_frequency"],
                    settings["experiments"], art_summary=next(iter(snakemake.input.art), None))
