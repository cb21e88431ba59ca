"""Well-tempered metadynamics of a local cluster with Colvars (Yang et al., Phys. Rev. B
102, 174103 (2020), Secs. II-III).

A cluster is a centre atom of a chosen species and every atom within a cutoff of it
(minimum image). The collective variable is the RMSD of the cluster from its
starting positions (Eq. 1); Gaussian hills are added every ``hill_interval`` steps,
tempered with the bias temperature. The run goes in segments: after each the
free-energy profile is rebuilt from the hills deposited so far and the run stops
once it shows the initial basin, a saddle and a second basin beyond it (the CV has
crossed), or at the maximum length. Lengths in Angstrom, energies in eV.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.barriers import BOLTZMANN
from analysis.box import fractional, minimum_image
from analysis.metad import (GRID_SPACING, ProfileBarrier, barrier_from_profile,
                            crossing_of_hills, early_median_cv, hills_free_energy,
                            least_basin_depth)
from mgrelax.jobs import (LammpsError, LammpsJob, choose_start, common_values, drop_checkpoints,
                          job_folder_lock, relative_path, run_job)
from mgrelax.lammps_io import Configuration, read_data_file, write_json, write_text_atomically
from mgrelax.launch import LaunchSettings
from mgrelax.metad import colvars
from mgrelax.plan import steps_for
from mgrelax.potentials import Model, resolve_potential_file
from mgrelax.templates import render

COLVARS_FILE = "metad.colvars"
WALL_FORCE_CONSTANT = 10.0
"""eV/Angstrom^2: the harmonic wall that keeps the RMSD below the grid's upper end."""
LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClusterAtom:
    """One cluster atom: LAMMPS id, species type, image flags that put it at its
    minimum image from the centre, and that position (the RMSD reference)."""

    id: int
    type: int
    image: tuple[int, int, int]
    reference: tuple[float, float, float]


CUTOFF_RADII = {"first_peak": "r_peak", "first_minimum": "r_min"}


def cluster_cutoff(label: str, structure: dict) -> float:
    """Cutoff radius (Angstrom) from its label: a number, or a characteristic radius of
    the total g(r) (``first_peak``, ``first_minimum``) from the glass stage's record."""
    if label in CUTOFF_RADII:
        return float(structure["pairs"]["total"][CUTOFF_RADII[label]])
    return float(label)


def cluster_centre(glass: Configuration, centre_type: int, seed, index: int) -> int:
    """Atom id of the ``index``-th centre of a seeded random order of the atoms of
    ``centre_type`` (distinct centres for distinct indices)."""
    candidates = glass.ids[glass.types == centre_type]
    if index >= len(candidates):
        raise ValueError(f"metad: only {len(candidates)} candidate centres, asked for number {index}")
    return int(np.random.default_rng(seed).permutation(candidates)[index])


def select_cluster(glass: Configuration, centre_id: int, cutoff: float) -> list[ClusterAtom]:
    """The centre atom and all atoms within ``cutoff`` of it (minimum image), centre first."""
    where = np.flatnonzero(glass.ids == centre_id)
    if where.size != 1:
        raise ValueError(f"metad: no atom with id {centre_id} in the glass")
    centre = glass.positions[where[0]]
    offsets = minimum_image(glass.positions - centre, glass.box)
    distances = np.linalg.norm(offsets, axis=1)
    members = np.argsort(distances)[: np.count_nonzero(distances < cutoff)]
    reference = centre + offsets[members]
    images = np.rint(fractional(reference - glass.positions[members], glass.box)).astype(int)
    return [ClusterAtom(int(glass.ids[i]), int(glass.types[i]), tuple(map(int, n)),
                        tuple(map(float, r)))
            for i, n, r in zip(members, images, reference)]


def hill_weight(settings: dict, temperature: float) -> float:
    """Initial hill height (eV) at ``temperature``: one value, or one per temperature."""
    weight = settings["hill_weight"]
    if isinstance(weight, list):
        return float(weight[settings["temperatures"].index(temperature)])
    return float(weight)


def metad_job(config: dict, model: Model, temperature: float, cluster: list[ClusterAtom],
              directory: Path, glass_data: Path, velocity_seed: int,
              provenance: dict | None = None) -> LammpsJob:
    """The LAMMPS job of one metadynamics run (lengths of segments set by the caller)."""
    settings = config["metad"]
    potential = resolve_potential_file(model)
    segment_steps = steps_for(settings["check_interval"], config, model)
    values = {
        **common_values(config, model, potential),
        "temperature": float(temperature),
        "input_data": relative_path(glass_data, directory),
        "cluster": [asdict(atom) for atom in cluster],
        "centre_id": cluster[0].id,
        "velocity_seed": int(velocity_seed),
        "colvars_file": COLVARS_FILE,
        "colvars_prefix": colvars.OUTPUT_PREFIX,
        "fit_rotation": settings["fit"] == "rotation",
        "trajectory_every": max(1, steps_for(settings["trajectory_interval"], config, model)),
        "grid_spacing": GRID_SPACING,
        "upper_boundary": float(settings["rmsd_max"]),
        "upper_wall": float(settings["rmsd_max"] - settings["hill_width"]),
        "wall_force_constant": WALL_FORCE_CONSTANT * GRID_SPACING**2,  # Colvars scales by width^2
        "hill_weight": hill_weight(settings, temperature),
        "hill_sigma": settings["hill_width"] / 2,
        "hill_every": int(settings["hill_interval"]),
        "bias_temperature": float(settings["bias_temperature"]),
        "prominence": float(settings["saddle_prominence"]),
        "segment_steps": segment_steps,
        "max_steps": steps_for(settings["max_duration"], config, model),
        "total_steps": segment_steps,
    }
    return LammpsJob(
        directory=Path(directory), template="metad.lammps", values=values,
        outputs={"data": "final.data"}, checkpoint_every=segment_steps, keep_checkpoints=True,
        run_length_values=("total_steps",),
        links={} if potential is None else {potential.name: potential},
        provenance=provenance or {})


def basin_depth(job: LammpsJob) -> float:
    """Least depth (eV) of a basin on the profiles of ``job`` (least_basin_depth)."""
    values = job.values
    return least_basin_depth(values["prominence"], values["hill_weight"], values["temperature"],
                             values["bias_temperature"])


def profile_grid(job: LammpsJob) -> np.ndarray:
    """CV grid (Angstrom) of the free-energy profiles: bin centres up to rmsd_max."""
    return np.arange(0.5 * GRID_SPACING, job.values["upper_boundary"], GRID_SPACING)


def hills_profile(job: LammpsJob, hills) -> np.ndarray:
    """F (eV) on the profile grid of ``job`` from a table of hills."""
    return hills_free_energy(profile_grid(job), hills, job.values["temperature"],
                             job.values["bias_temperature"])


def free_energy_profile(job: LammpsJob, last_step: int) -> tuple[np.ndarray, np.ndarray]:
    """Grid (Angstrom) and F (eV) from the hills deposited up to ``last_step``."""
    return profile_grid(job), hills_profile(job, colvars.hills(job.directory, last_step))


def initial_cv(job: LammpsJob, last_step: int) -> float | None:
    """Median CV over the first ten hill intervals of ``job`` (early_median_cv)."""
    trajectory = colvars.trajectory(job.directory, last_step)
    return early_median_cv(trajectory["step"], trajectory["rmsd"], job.values["hill_every"])


def first_crossing(job: LammpsJob, after_step: int, last_step: int) -> tuple[int, ProfileBarrier]:
    """The first hill step in (after_step, last_step] whose profile resolves a saddle
    into a second basin, with that barrier; else ``last_step`` and its (flagged) profile.

    Reading the barrier when the crossing first shows, not at the end of a segment,
    keeps the second basin from being filled by the hills that follow."""
    deposited = colvars.hills(job.directory, last_step)
    grid, start, depth = profile_grid(job), initial_cv(job, last_step), basin_depth(job)
    crossing = crossing_of_hills(grid, deposited, job.values["temperature"],
                                 job.values["bias_temperature"], depth, start, after_step)
    if crossing is not None:
        return crossing
    return last_step, barrier_from_profile(grid, hills_profile(job, deposited),
                                           prominence=depth, start=start)


def run_metadynamics(job: LammpsJob, launch: LaunchSettings) -> tuple[int, int, ProfileBarrier]:
    """Run ``job`` segment by segment until the CV has crossed a resolved saddle or the
    maximum length is reached; resumes from its checkpoints. Returns the last step,
    the step the barrier was read at (the first crossing) and the barrier."""
    segment, max_steps = job.values["segment_steps"], job.values["max_steps"]
    with job_folder_lock(job.directory):
        progress, checked = choose_start(job, launch).step, 0
        while True:
            if progress > 0:
                barrier_step, barrier = first_crossing(job, checked, progress)
                checked = progress
                LOGGER.info("%s: step %d: %s", job.directory, barrier_step, barrier.message)
                if barrier.found or progress >= max_steps:
                    break
            job.values["total_steps"] = min(max_steps, (progress // segment + 1) * segment)
            run_job(job, launch)
            progress = job.values["total_steps"]
        drop_checkpoints(job.directory)
    return progress, barrier_step, barrier


def failed_barrier(message: str) -> ProfileBarrier:
    """The barrier record of a run that LAMMPS could not finish."""
    nan = float("nan")
    return ProfileBarrier(False, "failed", message, nan, nan, nan, nan, nan, nan, nan)


def write_colvars_config(job: LammpsJob) -> None:
    """The Colvars configuration of ``job`` in its folder (values checked like any input)."""
    Path(job.directory).mkdir(parents=True, exist_ok=True)
    write_text_atomically(Path(job.directory) / COLVARS_FILE,
                          render(COLVARS_FILE, {**job.values,
                                                "checkpoint_every": job.checkpoint_every}))


def run_record(job: LammpsJob, last_step: int, barrier_step: int, barrier: ProfileBarrier,
               model: Model, state: dict) -> dict:
    """Result of one run: state point, cluster, barrier (or the reason there is none)."""
    values = job.values
    dt = values["timestep"]
    return {
        **state,
        "centre_id": values["centre_id"],
        "cluster_ids": [atom["id"] for atom in values["cluster"]],
        "cluster_types": [atom["type"] for atom in values["cluster"]],
        "n_cluster_atoms": len(values["cluster"]),
        "duration": last_step * dt,
        "barrier_time": barrier_step * dt,
        "hill_weight": values["hill_weight"],
        "hill_width": 2 * values["hill_sigma"],
        "hill_interval_steps": values["hill_every"],
        "bias_temperature": values["bias_temperature"],
        "basin_depth": basin_depth(job),
        **{key: (None if isinstance(value, float) and math.isnan(value) else value)
           for key, value in asdict(barrier).items()},
        "barrier_over_kt": (barrier.barrier / (BOLTZMANN * values["temperature"])
                            if barrier.found else None),
        "energy_unit": "eV", "cv_unit": "Angstrom", "time_unit": model.units.time,
        "temperature_unit": model.units.temperature,
    }


def velocity_seed(seed: int, run: int, temperature: float) -> int:
    """LAMMPS velocity seed of one run (a positive integer)."""
    return int(np.random.default_rng([seed, run, round(1000 * temperature)]).integers(1, 2**30))


def run_centre(config: dict, model: Model, glass: Configuration, run: int) -> int:
    """Atom id of the centre of run ``run`` (on glass sample run mod samples): listed in
    metad.centres, or drawn from metad.seed and the sample. ART's cluster ``run`` has
    the same centre."""
    settings = config["metad"]
    if settings["centres"]:
        return settings["centres"][run]
    n_glasses = config["samples"]
    return cluster_centre(glass, model.type_of(settings["centre_species"]),
                          [settings["seed"], run % n_glasses], run // n_glasses)


def run_cluster(config: dict, model: Model, glass: Configuration, structure: dict,
                state: dict) -> list[ClusterAtom]:
    """The cluster of run ``state['run']``: its centre (run_centre) and its cutoff."""
    centre = run_centre(config, model, glass, state["run"])
    return select_cluster(glass, centre, cluster_cutoff(state["cutoff"], structure))


def metad_step(context, state: dict, glass_path: Path, structure_path: Path, output) -> None:
    """One metadynamics run of a Snakemake job: cluster, run, profile, barrier.

    A run that fails in LAMMPS or never crosses is recorded with its status and
    reason (the summary reports it), not dropped."""
    config, model = context.config, context.model
    glass = read_data_file(glass_path)
    cluster = run_cluster(config, model, glass, json.loads(Path(structure_path).read_text()), state)
    job = metad_job(config, model, state["temperature"], cluster, Path(output.record).parent,
                    glass_path, velocity_seed(config["metad"]["seed"], state["run"],
                                              state["temperature"]),
                    context.provenance())
    write_colvars_config(job)
    try:
        last_step, barrier_step, barrier = run_metadynamics(job, context.launch)
    except LammpsError as error:
        last_step, barrier_step, barrier = 0, 0, failed_barrier(str(error))
    record = run_record(job, last_step, barrier_step, barrier, model, state)
    trajectory = colvars.trajectory(job.directory, last_step)
    trajectory.insert(1, "time", trajectory["step"] * job.values["timestep"])
    trajectory.to_csv(output.trajectory, index=False)
    colvars.hills(job.directory, last_step).to_csv(output.hills, index=False)
    grid, free_energy = free_energy_profile(job, barrier_step)
    pd.DataFrame({"rmsd": grid, "free_energy": free_energy}).to_csv(output.profile, index=False)
    write_json(output.record, record)
