"""The files of the Colvars module inside LAMMPS (``fix colvars``).

Each LAMMPS attempt of a metadynamics job gets its own Colvars output prefix,
``colvars.step<N>`` with N the step it starts from, so a resumed run never
overwrites what an earlier attempt wrote. The CV trajectory and the hills of
the whole run are the attempts' files stitched together: an attempt's rows count
up to the step where the next attempt started (its checkpoint), later rows of a
killed attempt are dropped.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.metad import HILLS_COLUMNS

OUTPUT_PREFIX = "colvars.step"
TRAJECTORY_SUFFIX = ".colvars.traj"
HILLS_SUFFIX = ".colvars.metad.hills.traj"
FREE_ENERGY_SUFFIX = ".pmf"
TRAJECTORY_COLUMNS = ("step", "rmsd")


def output_prefix(start_step: int) -> str:
    """Colvars output prefix of the attempt that starts at ``start_step``."""
    return f"{OUTPUT_PREFIX}{start_step}"


def attempt_starts(directory: Path, suffix: str) -> list[int]:
    """Start steps of the attempts that wrote a file with ``suffix``, in order."""
    pattern = re.compile(re.escape(OUTPUT_PREFIX) + r"(\d+)" + re.escape(suffix) + "$")
    matches = (pattern.match(path.name) for path in Path(directory).iterdir())
    return sorted(int(match.group(1)) for match in matches if match)


def read_table(path: Path, columns) -> pd.DataFrame:
    """A Colvars text table (comment lines start with '#')."""
    rows = [line for line in Path(path).read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")]
    if not rows:
        return pd.DataFrame(columns=list(columns))
    return pd.DataFrame(np.loadtxt(rows, ndmin=2)[:, :len(columns)], columns=list(columns))


def stitched(directory: Path, suffix: str, columns, last_step: int) -> pd.DataFrame:
    """Rows of all attempts up to ``last_step``, each attempt cut where the next began."""
    starts = attempt_starts(directory, suffix)
    parts = []
    for start, next_start in zip(starts, [*starts[1:], last_step]):
        table = read_table(Path(directory) / f"{output_prefix(start)}{suffix}", columns)
        parts.append(table[(table["step"] >= start) & (table["step"] <= min(next_start, last_step))])
    if not parts:
        return pd.DataFrame(columns=list(columns))
    table = pd.concat(parts).drop_duplicates("step", keep="first")
    return table.astype({"step": int}).reset_index(drop=True)


def trajectory(directory: Path, last_step: int) -> pd.DataFrame:
    """The CV trajectory (step, rmsd in Angstrom) up to ``last_step``."""
    return stitched(directory, TRAJECTORY_SUFFIX, TRAJECTORY_COLUMNS, last_step)


def hills(directory: Path, last_step: int) -> pd.DataFrame:
    """Hills deposited up to ``last_step``: step, centre and sigma (Angstrom), height (eV)."""
    return stitched(directory, HILLS_SUFFIX, HILLS_COLUMNS, last_step)


def free_energy_file(directory: Path) -> Path | None:
    """Colvars's own free-energy file (.pmf) of the latest attempt, if any."""
    starts = attempt_starts(directory, FREE_ENERGY_SUFFIX)
    return Path(directory) / f"{output_prefix(starts[-1])}{FREE_ENERGY_SUFFIX}" if starts else None
