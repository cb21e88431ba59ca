"""Snakemake step: ART against NEB barriers of the checked events (neb.csv)."""

import pandas as pd

from mgrelax.art.figures import neb_figure
from mgrelax.figures import save
from mgrelax.step import step_context

step_context(snakemake, "art")
save(neb_figure(pd.read_csv(snakemake.input.table)), snakemake.output.figure,
     snakemake.output.figure_pdf)
