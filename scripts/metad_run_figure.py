"""Snakemake step: the figure of one metadynamics run (CV trajectory and profile)."""

import json
from pathlib import Path

import pandas as pd

from mgrelax.figures import save
from mgrelax.metad.figures import run_figure
from mgrelax.step import step_context

step_context(snakemake, "metad")
inputs, output = snakemake.input, snakemake.output
profile = pd.read_csv(inputs.profile)
save(run_figure(pd.read_csv(inputs.trajectory), profile["rmsd"].to_numpy(),
                profile["free_energy"].to_numpy(), json.loads(Path(inputs.record).read_text())),
     output.figure, output.figure_pdf)
