"""Climbing-image nudged elastic band (NEB) with LAMMPS's ``neb`` command: the
independent check of the saddles that ART nouveau finds.

LAMMPS runs one replica per partition (``-partition Rx1`` on R MPI ranks). The
first replica is the initial minimum (a data file), the last one the final
minimum, given as positions in atom-id order and written to the ``neb`` final
coordinates file; the replicas between start on the straight line between
them. LAMMPS takes each atom's displacement by the minimum image (``neb``
manual), so final positions may be unwrapped or lie outside the box.

Both stages are damped-dynamics minimisations (``fire`` or ``quickmin``; the
line-search minimisers cannot be synchronised across replicas): the first
relaxes the band towards the minimum-energy path, the second lets the highest
replica climb to the saddle (Henkelman, Uberuaga and Jonsson, J. Chem. Phys. 113,
9901 (2000)). Each stops once the force two-norm of every replica, nudging forces
included, is below ``force_tolerance``. The result is the last line of the
universe log; each replica's final configuration is kept as a dump file. The universe
log is also the run's progress: LAMMPS writes a row of its table every
:func:`print_interval` iterations as the band moves.

Energies in eV, forces in eV/A, lengths in A (a lj model: its reduced units).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mgrelax.jobs import PARTIAL, LammpsError, error_line, link_potential, relative_path
from mgrelax.lammps_io import Configuration, read_data_file, write_json, \
    write_text_atomically
from mgrelax.launch import LaunchSettings, build_command, run_environment
from mgrelax.potentials import Model, template_values
from mgrelax.templates import render

TEMPLATE = "neb.lammps"
INPUT_FILE = "in.lammps"
LOG_FILE = "log.lammps"
"""The universe log (the barrier table); partition k logs to log.lammps.k."""
FINAL_FILE = "final.coords"
RESULT_FILE = "neb.json"
REPLICA_PREFIX = "replica"
DAMPED_MIN_STYLES = ("fire", "quickmin")
PRINT_EVERY = 10
"""Iterations between lines of the barrier table (at most; it must divide both limits)."""
TABLE_HEADER = ["Step", "MaxReplicaForce", "MaxAtomForce", "GradV0", "GradV1", "GradVc",
                "EBF", "EBR", "RDT"]
CLIMBING_LINE = "Climbing replica ="
STOP_GRACE = 10.0
"""Seconds the launcher gets to end its ranks after SIGTERM."""
LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class NebResult:
    """The band at the end of the climbing stage (last line of the universe log).

    ``energies`` and ``reaction_coordinate`` have one entry per replica;
    ``climbing_replica`` indexes them (0 = initial minimum). Energies come from
    the log's 8 significant digits; the barriers are LAMMPS's own differences.
    """

    barrier: float  # eV: highest replica minus initial replica (EBF)
    reverse_barrier: float  # eV: highest replica minus final replica (EBR)
    energies: np.ndarray  # eV, relative to the initial replica
    reaction_coordinate: np.ndarray  # cumulative path length over total, 0..1
    max_replica_force: float  # eV/A: largest force two-norm of a replica, nudging included
    climbing_force: float  # eV/A: two-norm of the potential gradient at the climbing replica
    climbing_replica: int
    converged: bool  # the climbing stage ended with max_replica_force below the tolerance
    iterations: int  # both stages together


def run_neb(directory: Path, initial_data: Path, final_positions: np.ndarray, model: Model,
            launch: LaunchSettings, replicas: int = 7, spring_constant: float = 1.0,
            force_tolerance: float = 0.01, max_iterations: int = 2000,
            climbing_iterations: int = 2000, timestep: float = 0.01, min_style: str = "fire",
            timeout: float | None = None) -> NebResult:
    """Climbing-image NEB from ``initial_data`` to ``final_positions`` ((N, 3) A, atom ids
    1..N), run in ``directory`` with ``replicas`` MPI ranks through ``launch``'s
    launcher and program.

    ``spring_constant`` (eV/A^2) couples neighbouring replicas; ``force_tolerance``
    (eV/A) ends each stage, ``max_iterations`` and ``climbing_iterations`` bound
    them; ``timestep`` is the damped dynamics' step in the model's time unit (ps
    for metal: about 10 times an MD step, as the ``neb`` manual advises);
    ``timeout`` (s) stops a run that takes longer, such as one that hangs because a
    LAMMPS error ended a single partition while the others wait for it. Raises
    ValueError on bad input before LAMMPS starts and LammpsError with LAMMPS's
    ERROR line when LAMMPS fails. ``neb.json`` is written only after success.
    """
    directory, initial_data = Path(directory), Path(initial_data)
    initial = read_data_file(initial_data)
    final = checked_final_positions(initial, final_positions, initial_data)
    check_settings(replicas, min_style, force_tolerance)
    directory.mkdir(parents=True, exist_ok=True)
    remove_outputs(directory, replicas)
    potential = link_potential(directory, model)
    write_final_coordinates(directory / FINAL_FILE, final)
    values = {
        "units": model.units.lammps_style,
        "timestep": float(timestep),
        "model": template_values(model, None if potential is None else potential.name),
        "input_data": relative_path(initial_data, directory),
        "final_coordinates": FINAL_FILE,
        "min_style": min_style,
        "spring_constant": float(spring_constant),
        "force_tolerance": float(force_tolerance),
        "max_iterations": max_iterations,
        "climbing_iterations": climbing_iterations,
        "print_every": print_interval(max_iterations, climbing_iterations),
        "outputs": {"replica_prefix": REPLICA_PREFIX},
    }
    write_text_atomically(directory / INPUT_FILE, render(TEMPLATE, values))
    launch = dataclasses.replace(launch, ranks=replicas)
    LOGGER.info("%s: climbing-image NEB of %d replicas; progress in %s", directory, replicas,
                directory / LOG_FILE)
    began = time.time()
    execute_partitioned(launch, directory, replicas, timeout)
    result = read_neb_log(directory / LOG_FILE, force_tolerance)
    record = {**{key: value for key, value in values.items() if key not in ("model", "outputs")},
              "model": model.name, "replicas": replicas,
              "command": build_command(launch, INPUT_FILE, LOG_FILE, replicas),
              "wall_time_s": round(time.time() - began, 3), "result": result_record(result)}
    publish(directory, replicas, record)
    return result


def print_interval(max_iterations: int, climbing_iterations: int) -> int:
    """Iterations between the rows of the NEB table: PRINT_EVERY, or a divisor of it that
    divides both stage limits."""
    return math.gcd(PRINT_EVERY, max_iterations, climbing_iterations)


def checked_final_positions(initial: Configuration, final_positions, source: Path) -> np.ndarray:
    """``final_positions`` as an (N, 3) float array matching the initial minimum's atoms."""
    final = np.asarray(final_positions, dtype=float)
    n_atoms = initial.n_atoms
    if not np.array_equal(initial.ids, np.arange(1, n_atoms + 1)):
        raise ValueError(f"{source}: NEB needs atom ids 1..N (final positions are in id order)")
    if final.shape != (n_atoms, 3):
        raise ValueError(f"final_positions has shape {final.shape}, but {source} has "
                         f"{n_atoms} atoms: expected ({n_atoms}, 3)")
    if not np.all(np.isfinite(final)):
        raise ValueError("final_positions holds non-finite values")
    return final


def check_settings(replicas: int, min_style: str, force_tolerance: float) -> None:
    """Refuse a band without a replica to climb, a minimiser NEB cannot use, or a
    stage that could only end at its iteration limit."""
    if replicas < 3:
        raise ValueError(f"replicas: {replicas}; NEB needs the two minima and at least one "
                         "replica between them")
    if min_style not in DAMPED_MIN_STYLES:
        raise ValueError(f"min_style: {min_style!r} is not one of {', '.join(DAMPED_MIN_STYLES)} "
                         "(NEB needs a damped-dynamics minimiser)")
    if not force_tolerance > 0.0:
        raise ValueError(f"force_tolerance: {force_tolerance}; it must be positive")


def write_final_coordinates(path: Path, positions: np.ndarray) -> None:
    """The ``neb`` final coordinates file: the atom count, then ``id x y z`` per atom."""
    ids = np.arange(1, len(positions) + 1)
    lines = [str(len(positions))]
    lines += [f"{i} {x:.17g} {y:.17g} {z:.17g}" for i, (x, y, z) in zip(ids, positions)]
    write_text_atomically(path, "\n".join(lines) + "\n")


def replica_file(directory: Path, index: int) -> Path:
    """Final configuration (dump: id type x y z) of replica ``index`` (0 = initial minimum)."""
    return Path(directory) / f"{REPLICA_PREFIX}.{index}.dump"


def remove_outputs(directory: Path, replicas: int) -> None:
    """Drop an earlier run's result, replica files and logs, so none is taken for this run's."""
    stale = [directory / RESULT_FILE, directory / LOG_FILE]
    for index in range(replicas):
        dump = replica_file(directory, index)
        stale += [dump, dump.with_name(dump.name + PARTIAL),
                  directory / f"{LOG_FILE}.{index}"]
    for path in stale:
        path.unlink(missing_ok=True)


def execute_partitioned(launch: LaunchSettings, directory: Path, replicas: int,
                        timeout: float | None) -> None:
    """Run the input with one partition per replica; raise LammpsError on failure."""
    command = build_command(launch, INPUT_FILE, LOG_FILE, partitions=replicas)
    process = subprocess.Popen(command, cwd=directory, env=run_environment(launch),
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(process)
        raise LammpsError(f"{directory}: NEB did not finish within {timeout} s and was "
                          "stopped") from None
    if process.returncode != 0:
        raise LammpsError(f"{directory}: {partition_error_line(directory, replicas, output)}")


def stop(process: subprocess.Popen) -> None:
    """End the MPI launcher and its ranks: SIGTERM, which the launcher passes on to the
    ranks (they run in sessions of their own), then SIGKILL if it is still there."""
    process.terminate()
    try:
        process.communicate(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


def partition_error_line(directory: Path, replicas: int, output: str) -> str:
    """LAMMPS's first ERROR line: the universe log, then the partition logs, then the output."""
    logs = [directory / LOG_FILE, *(directory / f"{LOG_FILE}.{k}" for k in range(replicas))]
    for log in logs:
        line = error_line(log)
        if line.startswith("ERROR"):
            return line
    return error_line(directory / LOG_FILE, output)


def read_neb_log(path: Path, force_tolerance: float) -> NebResult:
    """The result in a universe log: the last line of the climbing stage's table."""
    lines = Path(path).read_text().splitlines()
    climbing = [line for line in lines if line.startswith(CLIMBING_LINE)]
    header_at = [i for i, line in enumerate(lines) if line.split()[:1] == ["Step"]]
    if not climbing or not header_at:
        raise LammpsError(f"{path}: no climbing stage in the NEB log")
    header = replica_columns(lines[header_at[-1]].split(), lines[header_at[-1] + 1])
    rows = table_rows(lines[header_at[-1] + 1:], len(header))
    if header[:len(TABLE_HEADER)] != TABLE_HEADER or not rows:
        raise LammpsError(f"{path}: the NEB table is not Step {' '.join(TABLE_HEADER[1:])} "
                          "RD1 PE1 ... or has no rows")
    last = dict(zip(header, rows[-1]))
    replicas = (len(header) - len(TABLE_HEADER)) // 2
    energies = np.array([last[f"PE{k}"] for k in range(1, replicas + 1)])
    return NebResult(
        barrier=last["EBF"], reverse_barrier=last["EBR"], energies=energies - energies[0],
        reaction_coordinate=np.array([last[f"RD{k}"] for k in range(1, replicas + 1)]),
        max_replica_force=last["MaxReplicaForce"], climbing_force=last["GradVc"],
        climbing_replica=int(climbing[-1].split("=")[1]) - 1,
        converged=last["MaxReplicaForce"] < force_tolerance, iterations=int(last["Step"]))


def replica_columns(header: list[str], first_row: str) -> list[str]:
    """The table's column names; LAMMPS before 2022 writes "RD1 PE1 RD2 PE2 ... RDN PEN"
    literally, so the replica columns are then named from the first row's length."""
    if "..." not in header:
        return header
    replicas = (len(first_row.split()) - len(TABLE_HEADER)) // 2
    return [*TABLE_HEADER, *(f"{name}{k}" for k in range(1, replicas + 1)
                             for name in ("RD", "PE"))]


def table_rows(lines: list[str], columns: int) -> list[list[float]]:
    """The numeric rows of ``columns`` values that follow a table header."""
    rows = []
    for line in lines:
        words = line.split()
        try:
            values = [float(word) for word in words]
        except ValueError:
            break
        if len(values) != columns:
            break
        rows.append(values)
    return rows


def result_record(result: NebResult) -> dict:
    """The result as plain JSON values."""
    return {key: value.tolist() if isinstance(value, np.ndarray) else value
            for key, value in dataclasses.asdict(result).items()}


def publish(directory: Path, replicas: int, record: dict) -> None:
    """Move the replica files into place, then write ``neb.json``."""
    for index in range(replicas):
        final = replica_file(directory, index)
        partial = final.with_name(final.name + PARTIAL)
        if not partial.exists():
            raise LammpsError(f"{directory}: LAMMPS finished but did not write {partial.name}")
        os.replace(partial, final)
    write_json(directory / RESULT_FILE, record)
