"""Dry run of the paper-scale campaign: how long Snakemake takes to build its job graph.

The campaign is config/paper_yang2020.yaml (6 temperatures x 50 metadynamics samples,
the cluster-size series, 1000 ART searches in 20 batches, NEB checks), with a DMS grid
added (its 6 temperatures x --periods periods x --samples samples, each in the
--modes loading modes), so that every stage is at paper scale at once. The model is switched to the shipped
CuZr_Mendelev2007 (the paper's Mendelev 2009 file is not redistributable): the job
graph does not depend on the potential.

Printed: the number of jobs per rule, and the wall clock of
``snakemake --dry-run --quiet`` in a fresh folder, as a user runs it (Python start,
config validation, DAG), for --repeats runs; the target is under 10 s.
"""

from __future__ import annotations

import argparse
import collections
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parent.parent
PAPER_CONFIG = REPO / "config" / "paper_yang2020.yaml"
TARGET_S = 10.0
JOB_ROW = re.compile(r"^(\w+)\s+(\d+)$", re.MULTILINE)


def campaign_config(periods: int, samples: int, modes: list[str]) -> dict:
    """The paper config with a DMS grid and the shipped potential."""
    config = yaml.safe_load(PAPER_CONFIG.read_text())
    config["model"] = "CuZr_Mendelev2007"
    config["samples"] = samples
    config["dms"] = {"temperatures": config["temperatures"],
                     "periods": [float(f"{p:.4g}") for p in np.geomspace(10.0, 10000.0, periods)],
                     "modes": modes}
    return config


def dry_run(config_file: Path, folder: Path) -> tuple[float, str]:
    """Seconds of one ``snakemake --dry-run --quiet`` and its job table."""
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
               "--directory", str(folder), "--configfile", str(config_file), "--cores", "2",
               "--dry-run", "--quiet", "rules"]
    began = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - began
    if result.returncode != 0:
        sys.exit(f"dry run failed: {result.stderr.strip()[-2000:]}")
    return seconds, result.stdout + result.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--periods", type=int, default=9, help="DMS periods (10 ps to 10 ns)")
    parser.add_argument("--samples", type=int, default=4, help="glass samples (DMS grid)")
    parser.add_argument("--modes", nargs="+", default=["shear"],
                        choices=["shear", "uniaxial", "isostatic"], help="DMS loading modes")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mgrelax_dry_run_") as folder:
        config_file = Path(folder) / "campaign.yaml"
        config_file.write_text(yaml.safe_dump(campaign_config(args.periods, args.samples, args.modes)))
        runs = [dry_run(config_file, Path(folder)) for _ in range(args.repeats)]
    jobs = collections.Counter({rule: int(count)
                                for rule, count in JOB_ROW.findall(runs[0][1])
                                if rule != "total"})
    print("jobs per rule: " + ", ".join(f"{rule} {count}" for rule, count in jobs.most_common()))
    seconds = [run[0] for run in runs]
    print(f"dry run, paper-scale campaign, DMS in {'+'.join(args.modes)} "
          f"({sum(jobs.values())} jobs): "
          f"median {statistics.median(seconds):.2f} s, best {min(seconds):.2f} s over "
          f"{len(seconds)} runs (target < {TARGET_S:.0f} s)")


if __name__ == "__main__":
    main()
