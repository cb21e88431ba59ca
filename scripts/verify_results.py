"""Snakemake step (the ``verify`` target): every published LAMMPS output under results/
against the SHA-256 its run recorded; fails naming each missing or changed file."""

import logging
import sys

from mgrelax.provenance import verify_results
from mgrelax.step import log_to

log_to(snakemake.log[0])
checked, problems = verify_results(snakemake.params.results)
lines = [*problems, f"verify: {checked} runs checked, {len(problems)} problem(s)"]
for line in lines:
    print(line, file=sys.stderr)
    logging.getLogger("mgrelax.verify").info(line)
sys.exit(1 if problems else 0)
