"""The independent check of ART barriers: climbing-image NEB (mgrelax.neb.run_neb)
between the starting minimum and the final minimum of the first unique strict events
(mgrelax.art.LEVELS: the saddle's reactant side is the start, so the NEB between the
two minima crosses the same saddle; a metabasin event's path passes a neighbour).

``neb.csv``: one row per checked event: its row in events.h5 (``event``), sample,
cluster, centre atom, seed, the ART barrier and the NEB barrier (eV), their difference
NEB - ART (meV), the NEB's convergence, climbing-image force and largest replica force
(eV/A) and iterations, ``agrees`` (converged and within AGREEMENT), and the reason
where they differ or the NEB failed (disagreement_reason). Each NEB runs in
``neb/event<row>/`` beside it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from mgrelax.art_campaign import read_events
from mgrelax.jobs import PARTIAL, LammpsError
from mgrelax.lammps_io import write_text_atomically
from mgrelax.lammps_surface import open_surface
from mgrelax.launch import LaunchSettings
from mgrelax.neb import run_neb
from mgrelax.potentials import Model

AGREEMENT = 0.005
"""eV: largest |NEB - ART| barrier difference that counts as agreement."""
UNITS = {"energy_unit": "eV", "difference_unit": "meV", "force_unit": "eV/Angstrom"}


def minimum_data(config: dict, model: Model, inherent_data: Path, minimum: np.ndarray,
                 directory: Path) -> Path:
    """A LAMMPS data file of ``minimum`` ((N, 3) A, atom-id order), the system of
    ``inherent_data`` relaxed by ART: the first replica of the NEB."""
    path = Path(directory).resolve() / "minimum.data"
    partial = path.with_name(path.name + PARTIAL)
    with open_surface(config, model, directory, inherent_data) as surface:
        surface.energy_forces(minimum)
        surface.lmp.command(f"write_data {partial} nocoeff")
    os.replace(partial, path)
    return path


def neb_row(event: int, row: pd.Series, directory: Path, initial_data: Path,
            final: np.ndarray, model: Model, launch: LaunchSettings, settings: dict) -> dict:
    """One row of neb.csv: the NEB of event ``event`` (``row`` of events.h5)."""
    record = {"event": event, **{key: row[key] for key in ("sample", "cluster", "centre_id",
                                                            "seed")},
              "art_barrier": row["activation_energy"]}
    try:
        result = run_neb(directory, initial_data, final, model, launch,
                         replicas=settings["replicas"], spring_constant=settings["spring_constant"],
                         force_tolerance=settings["force_tolerance"],
                         max_iterations=settings["iterations"],
                         climbing_iterations=settings["iterations"], timeout=settings["timeout"])
    except LammpsError as error:
        nan = float("nan")
        return {**record, "neb_barrier": nan, "difference": nan, "neb_converged": False,
                "climbing_force": nan, "max_replica_force": nan, "iterations": 0,
                "agrees": False, "reason": str(error)}
    difference = result.barrier - row["activation_energy"]
    return {**record, "neb_barrier": result.barrier, "difference": 1000.0 * difference,
            "neb_converged": result.converged, "climbing_force": result.climbing_force,
            "max_replica_force": result.max_replica_force, "iterations": result.iterations,
            "agrees": bool(result.converged and abs(difference) <= AGREEMENT),
            "reason": disagreement_reason(result.converged, difference,
                                          result.max_replica_force, result.iterations)}


def disagreement_reason(converged: bool, difference: float, max_replica_force: float,
                        iterations: int) -> str:
    """Why a NEB and an ART barrier of the same two minima differ ('' where they agree).

    ``difference`` = NEB - ART barrier (eV), both from the same starting minimum to the
    same final minimum. Converged and lower: the minimum-energy path between the two
    minima crosses a lower saddle than the one ART found, which is then not on that path;
    converged and higher: the NEB's path misses ART's saddle (another valley between the
    same minima); not converged: no verdict."""
    if not converged:
        return (f"the NEB did not converge (largest replica force {max_replica_force:.3g} "
                f"eV/A after {iterations} iterations): no verdict")
    if difference < -AGREEMENT:
        return (f"a lower path between the same minima: the NEB crosses {-difference:.3f} eV "
                "below the ART saddle, which is not on the minimum-energy path")
    if difference > AGREEMENT:
        return (f"the NEB path crosses {difference:.3f} eV above the ART saddle: it runs "
                "through another valley between the same minima and misses that saddle")
    return ""


def write_neb_check(events_path: Path, inherent_data: dict, output, config: dict,
                    model: Model, launch: LaunchSettings) -> None:
    """neb.csv (``output``: the art_neb rule's named outputs);
    ``inherent_data``: {sample: inherent structure the ART searches started from}."""
    events, _ = read_events(events_path)
    settings = config["art"]["neb"]
    chosen = events.rows[events.rows["unique_strict"]].head(settings["events"])
    directory = Path(output.table).parent / "neb"
    starts = {sample: minimum_data(config, model, inherent_data[sample], events.minima[sample],
                                   directory / f"sample{sample}")
              for sample in chosen["sample"].unique()}
    rows = [neb_row(index, row, directory / f"event{index}", starts[row["sample"]],
                    events.minima[row["sample"]] + events.final_displacement[index], model,
                    launch, settings)
            for index, row in chosen.iterrows()]
    table = pd.DataFrame(rows, columns=["event", "sample", "cluster", "centre_id", "seed",
                                        "art_barrier", "neb_barrier", "difference",
                                        "neb_converged", "climbing_force", "max_replica_force",
                                        "iterations", "agrees", "reason"])
    write_text_atomically(output.table, table.assign(**UNITS).to_csv(index=False))
