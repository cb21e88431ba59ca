"""The independent check of ART barriers: climbing-image NEB (mgrelax.art.neb.run_neb)
between the starting minimum and the final minimum of the first unique strict events
(mgrelax.art.engine.LEVELS: the saddle's reactant side is the start, so the NEB between the
two minima crosses the same saddle; a metabasin event's path passes a neighbour).

``neb.csv``: one row per checked event: its row in events.h5 (``event``), sample,
cluster, centre atom, seed, the ART barrier and the NEB barrier (eV), their difference
NEB - ART (meV), the NEB's convergence, climbing-image force and largest replica force
(eV/A) and iterations, ``agrees`` (converged and within AGREEMENT), and the reason
where they differ or the NEB failed (disagreement_reason). Each NEB runs in
``neb/event<row>/`` beside it.

Progress goes to the job's log (mgrelax.jobs.Progress): a line as each NEB starts and
ends (NEB k of n, its barrier against ART's, the time elapsed and an estimate of the time
left); within one NEB, LAMMPS writes a row of its table every few iterations
(mgrelax.art.neb.print_interval; the climbing stage after "Climbing replica =") to the
``log.lammps`` of its folder.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd

from mgrelax.art.jobs import read_events
from mgrelax.art.lammps_surface import open_surface
from mgrelax.art.neb import LOG_FILE, print_interval, run_neb
from mgrelax.jobs import PARTIAL, LammpsError, Progress
from mgrelax.lammps_io import write_text_atomically
from mgrelax.launch import LaunchSettings
from mgrelax.potentials import Model

AGREEMENT = 0.005
"""eV: largest |NEB - ART| barrier difference that counts as agreement."""
UNITS = {"energy_unit": "eV", "difference_unit": "meV", "force_unit": "eV/Angstrom"}
LOGGER = logging.getLogger(__name__)


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


def neb_outcome(record: dict) -> str:
    """What a NEB's progress line says at its end, from its row of neb.csv."""
    if np.isnan(record["neb_barrier"]):
        return f"(event {record['event']}): failed: {record['reason']}"
    verdict = "converged" if record["neb_converged"] else "not converged"
    return (f"(event {record['event']}): barrier {record['neb_barrier']:.4f} eV, ART "
            f"{record['art_barrier']:.4f} eV ({record['difference']:+.1f} meV), {verdict} "
            f"after {record['iterations']} iterations, largest replica force "
            f"{record['max_replica_force']:.3g} eV/A")


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
    LOGGER.info("NEB check of %d ART events: progress in this log, a line as each NEB "
                "starts and ends; LAMMPS's NEB table, a row every %d iterations, in %s",
                len(chosen), print_interval(settings["iterations"], settings["iterations"]),
                directory / "event<row>" / LOG_FILE)
    starts = {sample: minimum_data(config, model, inherent_data[sample], events.minima[sample],
                                   directory / f"sample{sample}")
              for sample in chosen["sample"].unique()}
    progress, rows = Progress(LOGGER, "NEB", len(chosen)), []
    for index, row in chosen.iterrows():
        progress.start(f"event {index} (sample {row['sample']}, cluster {row['cluster']}, "
                       f"atom {row['centre_id']}, seed {row['seed']}), ART barrier "
                       f"{row['activation_energy']:.4f} eV, {settings['replicas']} replicas")
        rows.append(neb_row(index, row, directory / f"event{index}", starts[row["sample"]],
                            events.minima[row["sample"]] + events.final_displacement[index],
                            model, launch, settings))
        progress.finish(neb_outcome(rows[-1]))
    table = pd.DataFrame(rows, columns=["event", "sample", "cluster", "centre_id", "seed",
                                        "art_barrier", "neb_barrier", "difference",
                                        "neb_converged", "climbing_force", "max_replica_force",
                                        "iterations", "agrees", "reason"])
    write_text_atomically(output.table, table.assign(**UNITS).to_csv(index=False))
