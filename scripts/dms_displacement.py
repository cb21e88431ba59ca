"""Snakemake step: inherent structures at the start of a DMS run and after one
period; IS D_min, r0, its per-atom displacement field and per-atom D2min between them."""

import json
from pathlib import Path

from mgrelax.dms.displacement import displacement_step
from mgrelax.dms.jobs import state_point
from mgrelax.step import step_context

context = step_context(snakemake, "dms")
inputs, wildcards = snakemake.input, snakemake.wildcards
cutoff = context.config["dms"]["d2min_cutoff"] or \
    json.loads(Path(inputs.peaks).read_text())["pairs"]["total"]["r_min"]
state = state_point(wildcards)
displacement_step(context, state, Path(inputs.glass),
                  {"start": Path(inputs.start), "one_period": Path(inputs.one_period)},
                  cutoff, snakemake.output)
