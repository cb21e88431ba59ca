"""Compare two runs of a campaign file by file: are the results the same?

Two runs from scratch with the same config and seeds, on the same machine with the same
rank count, give the same bytes, but for what records when, where and how fast a file
was made. This module says which files are identical byte for byte, which are identical
once those records are set aside (and which records), which are skipped and why, and
which differ:

    python -m mgrelax.reproducibility first_run/ second_run/

(each a workflow's working folder, or any two folders of results). It exits with status
1 when a file differs or exists in one run only.

What is set aside, nothing else:
- the keys RUN_RECORD_KEYS (time stamps, wall times, host, workflow version) wherever
  they occur in a JSON file or in JSON held by an HDF5 attribute;
- the CSV columns MEASURED_COLUMNS, which hold wall times or what the cost model
  derives from them;
- a PDF's creation date;
- whole files that record how a run went rather than what it computed: SKIPPED_NAMES
  (LAMMPS's logs, the folder locks, the HTML renderings of tables compared as CSV) and
  SKIPPED_FOLDERS (the jobs' logs, Snakemake's records).
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

RUN_RECORD_KEYS = ("created", "wall_time_s", "host", "workflow_version")
MEASURED_COLUMNS = {
    "provenance.csv": RUN_RECORD_KEYS,
    "cost_model.csv": ("core_hours", "low", "high"),
    "validation.csv": ("paper_scale_cost",),
}
"""CSV file name: its columns of measured wall time or of what derives from it."""
SKIPPED_NAMES = {
    "log.lammps*": "LAMMPS's log (timings)",
    ".job.lock": "the folder lock (process id, time)",
    "provenance.html": "rendering of provenance.csv",
    "validation.html": "rendering of validation.csv",
}
SKIPPED_FOLDERS = {"logs": "the jobs' logs (time stamps, progress)",
                   ".snakemake": "Snakemake's own records"}
"""Top folders of a workflow's working folder."""
PDF_DATE = re.compile(rb"/CreationDate \(D:[^)]*\)")


@dataclass
class Comparison:
    """Relative paths of the two runs' files by outcome; ``set_aside``: file -> what of it
    was set aside; ``skipped``: file -> why."""

    identical: list[str] = field(default_factory=list)
    set_aside: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    different: list[str] = field(default_factory=list)
    only_in_first: list[str] = field(default_factory=list)
    only_in_second: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not (self.different or self.only_in_first or self.only_in_second)

    def summary(self) -> str:
        reasons = sorted(set(self.set_aside.values()))
        return (f"{len(self.identical)} files identical byte for byte, {len(self.set_aside)} "
                f"identical but for their run records ({'; '.join(reasons) or 'none'}), "
                f"{len(self.skipped)} skipped, {len(self.different)} different, "
                f"{len(self.only_in_first)} only in the first run, "
                f"{len(self.only_in_second)} only in the second")


def compare_runs(first: Path, second: Path) -> Comparison:
    """Compare every file under ``first`` with the same path under ``second``."""
    first_files, second_files = _files(Path(first)), _files(Path(second))
    comparison = Comparison()
    for name in sorted(first_files | second_files):
        if reason := skip_reason(name):
            comparison.skipped[name] = reason
        elif name not in second_files:
            comparison.only_in_first.append(name)
        elif name not in first_files:
            comparison.only_in_second.append(name)
        else:
            _compare_file(comparison, name, Path(first, name), Path(second, name))
    return comparison


def _compare_file(comparison: Comparison, name: str, a: Path, b: Path) -> None:
    """Count the file ``name`` (``a`` in the first run, ``b`` in the second)."""
    if a.read_bytes() == b.read_bytes():
        comparison.identical.append(name)
    elif (set_aside := same_but_for_run_records(a, b)) is not None:
        comparison.set_aside[name] = set_aside
    else:
        comparison.different.append(name)


def _files(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def skip_reason(name: str) -> str | None:
    """Why the file at relative path ``name`` is not compared, or None."""
    path = Path(name)
    for pattern, reason in SKIPPED_NAMES.items():
        if fnmatch.fnmatch(path.name, pattern):
            return reason
    return SKIPPED_FOLDERS.get(path.parts[0]) if len(path.parts) > 1 else None


def same_but_for_run_records(a: Path, b: Path) -> str | None:
    """What was set aside if ``a`` and ``b`` are the same but for their run records,
    else None."""
    suffix = a.suffix
    if suffix == ".json":
        same = _json_contents(a) == _json_contents(b)
        return "JSON run-record keys" if same else None
    if suffix == ".h5":
        return "HDF5 attributes' run-record keys" if _hdf5_contents(a) == _hdf5_contents(b) \
            else None
    if suffix == ".csv" and a.name in MEASURED_COLUMNS:
        columns = MEASURED_COLUMNS[a.name]
        same = _csv_without(a, columns) == _csv_without(b, columns)
        return f"{a.name} columns {', '.join(columns)}" if same else None
    if suffix == ".pdf":
        same = PDF_DATE.sub(b"", a.read_bytes()) == PDF_DATE.sub(b"", b.read_bytes())
        return "PDF creation date" if same else None
    return None


def _json_contents(path: Path) -> str:
    return _canonical(json.loads(path.read_text()))


def _canonical(value) -> str:
    """``value`` without its run records as JSON text (so that NaN equals NaN)."""
    return json.dumps(_without_run_records(value), sort_keys=True, default=str)


def _without_run_records(value):
    if isinstance(value, dict):
        return {key: _without_run_records(item) for key, item in value.items()
                if key not in RUN_RECORD_KEYS}
    if isinstance(value, list):
        return [_without_run_records(item) for item in value]
    return value


def _csv_without(path: Path, columns) -> list[list[str]]:
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    kept = [index for index, name in enumerate(rows[0]) if name not in columns]
    return [[row[index] for index in kept] for row in rows]


def _attribute(value) -> str:
    """An HDF5 attribute as compared (JSON text read as JSON, without its run records)."""
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str):
        try:
            return _canonical(json.loads(value))
        except json.JSONDecodeError:
            return value
    return _canonical(np.asarray(value).tolist())


def _hdf5_contents(path: Path) -> dict:
    """{name: (its data: dtype, shape and bytes, or None for a group; its attributes)}
    of every object in an HDF5 file."""
    contents = {}
    with h5py.File(path, "r") as handle:
        def visit(name, item):
            data = _dataset(item) if isinstance(item, h5py.Dataset) else None
            contents[name] = (data, {key: _attribute(value) for key, value in item.attrs.items()})

        visit("/", handle)
        handle.visititems(visit)
    return contents


def _dataset(item: h5py.Dataset) -> tuple:
    value = np.asarray(item[()])
    return (str(item.dtype), item.shape,
            value.tolist() if value.dtype.kind == "O" else value.tobytes())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    arguments = parser.parse_args(argv)
    comparison = compare_runs(arguments.first, arguments.second)
    for label, names in (("different", comparison.different),
                         ("only in the first run", comparison.only_in_first),
                         ("only in the second run", comparison.only_in_second)):
        for name in names:
            print(f"{label}: {name}")
    print(comparison.summary())
    return 0 if comparison.same else 1


if __name__ == "__main__":
    sys.exit(main())
