"""Snakemake step: the figure of the last cycle of one DMS run with its fit."""

import json
from pathlib import Path

from mgrelax.dms.figures import cycle_plot
from mgrelax.step import step_context

context = step_context(snakemake, "dms")
fit = json.loads(Path(snakemake.input.fit).read_text())
cycle_plot(Path(snakemake.input.series), fit, context.model, snakemake.output.figure,
           snakemake.output.figure_pdf)
