"""Snakemake step: the provenance of every LAMMPS run as a table (CSV and HTML page)."""

from pathlib import Path

from mgrelax.provenance import provenance_table

table = provenance_table(Path(snakemake.output.table).parent)  # the results folder
table.to_csv(snakemake.output.table, index=False)
Path(snakemake.output.page).write_text(table.to_html(index=False, na_rep=""))
