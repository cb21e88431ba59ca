"""Snakemake step: the provenance of every LAMMPS run as a table (CSV and HTML page)."""

import logging
from pathlib import Path

from mgrelax.provenance import provenance_table
from mgrelax.step import log_to

log_to(snakemake.log[0])
table = provenance_table(Path(snakemake.output.table).parent)  # the results folder
table.to_csv(snakemake.output.table, index=False)
Path(snakemake.output.page).write_text(table.to_html(index=False, na_rep=""))
logging.getLogger("mgrelax.provenance").info("%d LAMMPS runs in %s", len(table),
                                             snakemake.output.table)
