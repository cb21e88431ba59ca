"""Reading the files LAMMPS writes and writing the workflow's JSON and HDF5 results.

This is the one place that parses LAMMPS data files, dump files, the
recorded series tables and the lines of LAMMPS's log that summarise a minimisation,
so every later stage reads them the same way.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

from analysis.box import box_matrix, volume

MINIMISATION_STOPPED = re.compile(r"Stopping criterion = ([^\n]+)")
"""Why a minimisation stopped, in LAMMPS's log (its summary after the loop)."""
MINIMISATION_EVALUATIONS = re.compile(r"Iterations, force evaluations = (\d+) (\d+)")
"""A minimisation's iterations and force evaluations, in LAMMPS's log."""
SERIES_COLUMNS = ["step", "time", "target_temperature", "temperature", "pressure", "volume",
                  "potential_energy", "enthalpy"]


@dataclass(frozen=True)
class Configuration:
    """Atoms in a periodic box, sorted by atom id.

    ``box`` is the matrix h whose columns are the box vectors, as LAMMPS builds
    it (see analysis.box); ``origin`` is (xlo, ylo, zlo).
    """

    ids: np.ndarray
    types: np.ndarray
    positions: np.ndarray
    box: np.ndarray
    origin: np.ndarray
    step: int | None = None

    @property
    def volume(self) -> float:
        return volume(self.box)

    @property
    def n_atoms(self) -> int:
        return len(self.ids)


def _sorted_configuration(ids, types, positions, box, origin, step=None) -> Configuration:
    order = np.argsort(ids)
    return Configuration(ids=ids[order], types=types[order], positions=positions[order],
                         box=box, origin=origin, step=step)


def read_data_file(path: Path) -> Configuration:
    """Read an atomic-style LAMMPS data file (as written by ``write_data``)."""
    lines = Path(path).read_text().splitlines()
    bounds, tilts, n_atoms, atoms_at = {}, (0.0, 0.0, 0.0), None, None
    for index, line in enumerate(lines):
        words = line.split("#")[0].split()
        if len(words) == 2 and words[1] == "atoms":
            n_atoms = int(words[0])
        elif len(words) == 4 and words[2].endswith("lo") and words[3].endswith("hi"):
            bounds[words[2][0]] = (float(words[0]), float(words[1]))
        elif len(words) == 6 and words[3:] == ["xy", "xz", "yz"]:
            tilts = tuple(float(w) for w in words[:3])
        elif words[:1] == ["Atoms"]:
            atoms_at = index + 2
            break
    if n_atoms is None or atoms_at is None or len(bounds) != 3:
        raise ValueError(f"{path}: not a LAMMPS data file with an Atoms section")
    table = np.array([lines[i].split()[:5] for i in range(atoms_at, atoms_at + n_atoms)],
                     dtype=float)
    lo = np.array([bounds[axis][0] for axis in "xyz"])
    lengths = [bounds[axis][1] - bounds[axis][0] for axis in "xyz"]
    return _sorted_configuration(table[:, 0].astype(int), table[:, 1].astype(int),
                                 table[:, 2:5], box_matrix(lengths, tilts), lo)


def read_dump_frame(path: Path) -> Configuration:
    """Read a one-frame custom dump with columns ``id type x y z`` (or ``xu yu zu``)."""
    lines = Path(path).read_text().splitlines()
    step = int(lines[1])
    n_atoms = int(lines[3])
    header = lines[4].split()
    bounds = np.array([lines[5 + k].split() for k in range(3)], dtype=float)
    tilts = tuple(bounds[:, 2]) if "xy" in header else (0.0, 0.0, 0.0)
    xy, xz, yz = tilts
    # Triclinic dumps give the bounding box; remove the tilt extents (LAMMPS Howto_triclinic).
    xlo = bounds[0, 0] - min(0.0, xy, xz, xy + xz)
    xhi = bounds[0, 1] - max(0.0, xy, xz, xy + xz)
    ylo = bounds[1, 0] - min(0.0, yz)
    yhi = bounds[1, 1] - max(0.0, yz)
    zlo, zhi = bounds[2, :2]
    columns = lines[8].split()[2:]
    table = np.array([line.split() for line in lines[9:9 + n_atoms]], dtype=float)
    column = {name: table[:, k] for k, name in enumerate(columns)}
    axes = ("x", "y", "z") if "x" in column else ("xu", "yu", "zu")  # wrapped or unwrapped
    positions = np.column_stack([column[axis] for axis in axes])
    box = box_matrix((xhi - xlo, yhi - ylo, zhi - zlo), tilts)
    return _sorted_configuration(column["id"].astype(int), column["type"].astype(int),
                                 positions, box, np.array([xlo, ylo, zlo]), step)


def read_dump_column(path: Path, name: str) -> np.ndarray:
    """The per-atom column ``name`` of a one-frame custom dump, in atom-id order."""
    lines = Path(path).read_text().splitlines()
    columns = lines[8].split()[2:]
    table = np.array([line.split() for line in lines[9:9 + int(lines[3])]], dtype=float)
    return table[np.argsort(table[:, columns.index("id")]), columns.index(name)]


def write_dump_frame(path: Path, configuration: Configuration, columns: dict) -> None:
    """One-frame custom dump ``id type x y z`` plus per-atom ``columns`` (name: (N,)
    array), as LAMMPS writes it, so OVITO shows the extra columns as properties."""
    h, (xlo, ylo, zlo) = configuration.box, configuration.origin
    xy, xz, yz = h[0, 1], h[0, 2], h[1, 2]
    # Triclinic dumps give the bounding box of the tilted cell (LAMMPS Howto_triclinic).
    bounds = [(xlo + min(0.0, xy, xz, xy + xz), xlo + h[0, 0] + max(0.0, xy, xz, xy + xz)),
              (ylo + min(0.0, yz), ylo + h[1, 1] + max(0.0, yz)), (zlo, zlo + h[2, 2])]
    triclinic = bool(np.any(h[np.triu_indices(3, 1)] != 0.0))
    header = ["ITEM: TIMESTEP", str(configuration.step or 0), "ITEM: NUMBER OF ATOMS",
              str(configuration.n_atoms),
              "ITEM: BOX BOUNDS " + ("xy xz yz " if triclinic else "") + "pp pp pp"]
    header += [f"{lo:.12g} {hi:.12g}" + (f" {tilt:.12g}" if triclinic else "")
               for (lo, hi), tilt in zip(bounds, (xy, xz, yz))]
    header.append("ITEM: ATOMS id type x y z " + " ".join(columns))
    table = np.column_stack([configuration.ids, configuration.types, configuration.positions,
                             *columns.values()])
    text = io.StringIO()
    np.savetxt(text, table, fmt=["%d", "%d"] + ["%.12g"] * (table.shape[1] - 2),
               header="\n".join(header), comments="")
    write_text_atomically(path, text.getvalue())


def read_series(path: Path, extra_columns: tuple[str, ...] = (),
                columns: tuple[str, ...] | None = None) -> pd.DataFrame:
    """A recorded series table (``columns``, by default the MD stages' SERIES_COLUMNS plus
    ``extra_columns``); rows repeated at run boundaries keep their last value."""
    names = list(columns) if columns is not None else SERIES_COLUMNS + list(extra_columns)
    table = pd.read_csv(path, sep=r"\s+", comment="#", header=None, names=names)
    table["step"] = table["step"].astype(int)
    return table.drop_duplicates("step", keep="last").sort_values("step").reset_index(drop=True)


def read_key_values(path: Path) -> dict[str, float]:
    """A ``key value`` per line file (as written by LAMMPS ``print``)."""
    pairs = (line.split() for line in Path(path).read_text().splitlines() if line.strip())
    return {key: float(value) for key, value in pairs}


def write_hdf5(path: Path, datasets: dict, attributes: dict) -> None:
    """Write datasets ``{name: (array, unit)}`` and file attributes, atomically.

    Attributes that are not numbers or strings are stored as JSON text.
    """
    path = Path(path)
    temporary = path.with_name(path.name + ".tmp")
    with h5py.File(temporary, "w") as handle:
        for name, (values, unit) in datasets.items():
            dataset = handle.create_dataset(name, data=np.asarray(values))
            dataset.attrs["units"] = unit
        for key, value in attributes.items():
            handle.attrs[key] = value if isinstance(value, (int, float, str)) else json.dumps(
                value, default=str)
    os.replace(temporary, path)


def read_hdf5(path: Path) -> tuple[dict, dict]:
    """Datasets ``{name: (array, unit)}`` and attributes of a file written by write_hdf5."""
    datasets = {}

    def collect(name, item):
        if isinstance(item, h5py.Dataset):
            datasets[name] = (item[()], item.attrs.get("units", ""))

    with h5py.File(path, "r") as handle:
        handle.visititems(collect)
        attributes = dict(handle.attrs)
    return datasets, attributes


def write_text_atomically(path: Path, text: str) -> None:
    """Write a text file under a temporary name, then move it into place."""
    path = Path(path)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def plain_json(value):
    """``value`` for JSON: numpy scalars as Python numbers, NaN and inf as null."""
    if isinstance(value, dict):
        return {key: plain_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain_json(item) for item in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    return value


def write_json(path: Path, record: dict) -> None:
    """Write a JSON record atomically."""
    write_text_atomically(path, json.dumps(record, indent=2, default=str))
