"""LAMMPS as the energy surface of the ART engine (mgrelax.art.engine.EnergySurface).

One serial LAMMPS instance of the embedded library holds the system; each call
scatters the positions (atom-id order, by pointer from a numpy buffer), runs
``run 1 pre no post no`` (no integrator: atoms stay where they were put; neighbour
lists are rebuilt when the moves ask for it) and gathers the forces. ``run 0 pre
no`` would compute nothing and return stale values. Atom sorting is off and the
atom map on, so rows are atom ids 1..N throughout. Energies in eV, lengths in A.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np

from mgrelax.jobs import common_values, link_potential, relative_path
from mgrelax.lammps_io import write_text_atomically
from mgrelax.launch import lammps_instance
from mgrelax.potentials import Model
from mgrelax.templates import render

INPUT_FILE = "surface.lammps"
FORCE_CALL = "run 1 pre no post no"


class LammpsSurface:
    """Energy and forces of a LAMMPS system at given positions ((N, 3) in id order)."""

    translation_invariant = True

    def __init__(self, directory: Path, input_file: str = INPUT_FILE):
        with contextlib.chdir(directory):
            self.lmp = lammps_instance(["-log", "none", "-screen", "none", "-nocite"])
            self.lmp.file(input_file)
        self.n_atoms = self.lmp.get_natoms()
        ids = np.ctypeslib.as_array(self.lmp.gather_atoms("id", 0, 1))
        if not np.array_equal(np.sort(ids), np.arange(1, self.n_atoms + 1)):
            raise ValueError(f"{directory}: the ART engine needs atom ids 1..N")
        self._positions = np.empty((self.n_atoms, 3))
        self._forces = np.empty((self.n_atoms, 3))
        self._gather("x", self._positions)
        self.initial_positions = self._positions.copy()

    def _gather(self, name: str, buffer: np.ndarray) -> None:
        self.lmp.lib.lammps_gather_atoms(self.lmp.lmp, name.encode(), 1, 3, buffer.ctypes.data)

    def energy_forces(self, positions: np.ndarray) -> tuple[float, np.ndarray]:
        """Potential energy (eV) and forces (eV/A) at ``positions`` (A, unwrapped allowed)."""
        np.copyto(self._positions, positions)
        self.lmp.lib.lammps_scatter_atoms(self.lmp.lmp, b"x", 1, 3, self._positions.ctypes.data)
        self.lmp.command(FORCE_CALL)
        self._gather("f", self._forces)
        return float(self.lmp.get_thermo("pe")), self._forces.copy()

    def close(self) -> None:
        self.lmp.close()

    def __enter__(self) -> LammpsSurface:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_surface(config: dict, model: Model, directory: Path, input_data: Path) -> LammpsSurface:
    """The energy surface of the system in ``input_data``, its input written to ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    potential = link_potential(directory, model)
    values = {**common_values(config, model, potential),
              "input_data": relative_path(input_data, directory)}
    write_text_atomically(directory / INPUT_FILE, render("energy_surface.lammps", values))
    return LammpsSurface(directory)
