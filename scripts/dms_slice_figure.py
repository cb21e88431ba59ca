"""Snakemake step: map of per-atom D2min in a slab of the inherent structure at the
start of one DMS run."""

import json
from pathlib import Path

from mgrelax.dms.figures import nonaffine_slice_plot
from mgrelax.step import step_context

context = step_context(snakemake, "dms")
record = json.loads(Path(snakemake.input.record).read_text())
nonaffine_slice_plot(Path(snakemake.input.d2min), record, context.model,
                     snakemake.output.figure, snakemake.output.figure_pdf)
