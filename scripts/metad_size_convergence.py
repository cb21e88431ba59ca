"""Snakemake step: cluster-size convergence of the metadynamics barrier (table, figure)."""

from mgrelax.metad.summary import write_size_convergence
from mgrelax.step import step_context

context = step_context(snakemake, "metad")
write_size_convergence(snakemake.input.records, snakemake.input.structure[0], snakemake.output,
                       context.config["metad"]["attempt_frequency"])
