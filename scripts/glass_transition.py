"""Snakemake step: Tg of one sample from the kinks of V(T), E(T) and H(T)."""

from pathlib import Path

from mgrelax.glass.jobs import glass_transition_record
from mgrelax.lammps_io import write_json
from mgrelax.step import step_context

context = step_context(snakemake, "glass")
write_json(snakemake.output[0], glass_transition_record(Path(snakemake.input.table),
                                                        context.config, context.model))
