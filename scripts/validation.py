"""Snakemake step (the ``validation`` target): the campaign's numbers beside the papers'
(validation.csv, with verdicts), the cost of the paper configs at this campaign's
measured cost (cost_model.csv) and the report page."""

from mgrelax.step import step_context
from mgrelax.validation import write_validation

context = step_context(snakemake, "glass")
write_validation(dict(snakemake.input.items()), snakemake.output, context.config)
