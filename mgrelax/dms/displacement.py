"""Displacements between the inherent structures of one DMS state point.

The snapshots at the start of a DMS run and after one period t_w (both at zero
strain, the box back at its reference) are quenched to their inherent
structures (energy minimisation); between the two (Yu et al., Eqs. 2-3):

* IS D_min, the minimal RMS displacement over relabellings of identical atoms,
  and r0 = (V/N)^(1/3), the length the scaling law delta = A (IS D_min / r0)^b uses,
  with whether its drift/assignment alternation converged and the certified lower
  bound of its last relabelling;
* Falk-Langer D2min per atom over the neighbours within the first minimum of
  g(r), written as an extended LAMMPS dump (OVITO shows the ``d2min`` column);
* the displacement field behind IS D_min, written as a dump of the start inherent
  structure: each atom's displacement to its partner after the optimal relabelling,
  drift removed (``Displacement.X/Y/Z``, which OVITO reads as its Displacement vector
  property), its length and the partner's id.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.dmin import MAX_DRIFT_ITERATIONS, MinimalDisplacement, d2min, is_dmin
from mgrelax.glass.jobs import inherent_structure_job, run_minimisations
from mgrelax.jobs import LammpsJob
from mgrelax.lammps_io import Configuration, read_data_file, write_dump_frame, write_json
from mgrelax.potentials import Model

INHERENT_DIRS = {"start": "inherent_start", "one_period": "inherent_one_period"}


def inherent_structure_jobs(config: dict, model: Model, directory: Path, glass_data: Path,
                            frames: dict[str, Path], triclinic: bool,
                            provenance: dict) -> dict[str, LammpsJob]:
    """Minimisation jobs of the start and one-period snapshots (keys of INHERENT_DIRS)."""
    return {name: inherent_structure_job(config, model, Path(directory) / INHERENT_DIRS[name],
                                         glass_data, provenance, frame=frames[name],
                                         triclinic=triclinic)
            for name in INHERENT_DIRS}


def inherent_structure_files(directory: Path) -> dict[str, Path]:
    """Data files of the two inherent structures written by inherent_structure_jobs."""
    return {name: Path(directory) / folder / "inherent.data"
            for name, folder in INHERENT_DIRS.items()}


def displacement_record(start: Configuration, after: Configuration, cutoff: float,
                        model: Model):
    """IS D_min, r0 and D2min statistics between two inherent structures.

    Besides IS D_min: ``is_dmin_converged`` (the drift/assignment alternation ended
    with a repeated assignment, not at its iteration limit), ``is_dmin_iterations``
    (assignments solved) and ``is_dmin_lower_bound`` = sqrt(dual bound), the LP
    certificate that no relabelling has a smaller RMS displacement at the drift of the
    last relabelling (once converged, the final drift: then it equals IS D_min within
    the solver's tolerance).

    Returns the record (lengths in the model's length unit), the
    :class:`analysis.dmin.MinimalDisplacement` and the per-atom
    :class:`analysis.dmin.NonaffineDisplacement`.
    """
    if not np.array_equal(start.ids, after.ids) or not np.array_equal(start.types, after.types):
        raise ValueError("the two inherent structures hold different atoms")
    minimal = is_dmin(start.positions, after.positions, start.box, start.types)
    nonaffine = d2min(start.positions, after.positions, start.box, after.box, cutoff)
    r0 = (start.volume / start.n_atoms) ** (1.0 / 3.0)
    length = model.units.length
    record = {
        "is_dmin": minimal.dmin,
        "r0": r0,
        "is_dmin_over_r0": minimal.dmin / r0,
        "is_dmin_converged": bool(minimal.converged),
        "is_dmin_iterations": minimal.iterations,
        "is_dmin_max_iterations": MAX_DRIFT_ITERATIONS,
        "is_dmin_lower_bound": float(np.sqrt(max(minimal.dual_bound, 0.0))),
        "n_relabelled": int(np.count_nonzero(minimal.assignment != np.arange(start.n_atoms))),
        "drift": minimal.drift.tolist(),
        "d2min_cutoff": cutoff,
        "d2min_mean": float(nonaffine.d2min[nonaffine.valid].mean()),
        "d2min_median": float(np.median(nonaffine.d2min[nonaffine.valid])),
        "d2min_max": float(nonaffine.d2min.max()),
        "n_atoms": start.n_atoms,
        "length_unit": length,
        "d2min_unit": f"{length}^2",
    }
    return record, minimal, nonaffine


def minimal_displacement_columns(start: Configuration, minimal: MinimalDisplacement) -> dict:
    """Dump columns of the IS D_min displacement field, per atom of ``start``: the
    displacement vector (drift removed, minimum image), its length and the id of the atom
    of the other inherent structure it is matched with."""
    vectors = minimal.displacements
    return {"Displacement.X": vectors[:, 0], "Displacement.Y": vectors[:, 1],
            "Displacement.Z": vectors[:, 2],
            "displacement_magnitude": np.linalg.norm(vectors, axis=1),
            "partner_id": start.ids[minimal.assignment]}


def read_inherent_pair(directory: Path) -> tuple[Configuration, Configuration]:
    files = inherent_structure_files(directory)
    return read_data_file(files["start"]), read_data_file(files["one_period"])


def displacement_step(context, state: dict, glass_data: Path, frames: dict[str, Path],
                      cutoff: float, outputs) -> None:
    """Minimise both snapshots (a progress line as each starts and ends), then write the
    record, the D2min dump and the IS D_min displacement dump."""
    directory = Path(outputs.record).parent
    triclinic = state["mode"] == "shear"
    provenance = context.provenance()
    jobs = inherent_structure_jobs(context.config, context.model, directory, glass_data, frames,
                                   triclinic, provenance)
    run_minimisations(jobs, context.config, context.model, context.launch)
    start, after = read_inherent_pair(directory)
    record, minimal, nonaffine = displacement_record(start, after, cutoff, context.model)
    write_dump_frame(outputs.d2min, start, {"d2min": nonaffine.d2min,
                                           "n_neighbours": nonaffine.n_neighbours})
    write_dump_frame(outputs.is_displacement, start, minimal_displacement_columns(start, minimal))
    write_json(outputs.record, {**state, **record, "provenance": provenance})
