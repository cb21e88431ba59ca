"""Snakemake step (the ``verify`` target): every published LAMMPS output under results/
against the SHA-256 its run recorded; fails naming each missing or changed file."""

import sys

from mgrelax.provenance import verify_results

checked, problems = verify_results(snakemake.params.results)
for problem in problems:
    print(problem, file=sys.stderr)
print(f"verify: {checked} runs checked, {len(problems)} problem(s)", file=sys.stderr)
sys.exit(1 if problems else 0)
