"""MD dynamic mechanical spectroscopy (MD-DMS) runs: one job per state point.

A glass equilibrated at temperature T is strained sinusoidally with period t_w
and amplitude gamma_A for a number of cycles under NVT (Yu et al., Methods;
Fusco Sec. III.A.3). Loading modes and the modulus they measure:

* ``shear``: simple shear xy (triclinic box), stress -p_xy: G*;
* ``uniaxial``: x strained, y and z fixed, stress -p_xx: the longitudinal M*;
* ``isostatic``: x, y, z strained alike, volumetric strain, stress -p: K*.

The strain is measured from the box itself, the stress is minus LAMMPS's
pressure tensor converted to the model's stress unit (GPa for metal units).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

from analysis.dms import fit_oscillation
from mgrelax.jobs import FRAMES_DIR, PARTIAL, LammpsJob, common_values, relative_path
from mgrelax.lammps_io import read_data_file, read_series
from mgrelax.plan import steps_for
from mgrelax.potentials import Model, resolve_potential_file

MODES = ("shear", "uniaxial", "isostatic")
MIN_SAMPLES_PER_CYCLE = 100
DMS_SERIES_COLUMNS = ("step", "time", "strain", "stress")


def reference_box(glass_data: Path) -> dict:
    """Box of the unstrained glass: lengths, tilt and volume (model length units)."""
    h = read_data_file(glass_data).box
    return {"lx": float(h[0, 0]), "ly": float(h[1, 1]), "lz": float(h[2, 2]),
            "xy": float(h[0, 1]), "volume": float(h[0, 0] * h[1, 1] * h[2, 2])}


def dms_job(config: dict, model: Model, temperature: float, period: float, amplitude: float,
            mode: str, cycles: int, directory: Path, glass_data: Path,
            provenance: dict | None = None) -> LammpsJob:
    """Oscillatory-strain run of ``cycles`` periods ``period`` (LAMMPS time units)."""
    if mode not in MODES:
        raise ValueError(f"dms mode {mode!r} is not one of {', '.join(MODES)}")
    steps_per_period = steps_for(period, config, model)
    sample_every = max(1, steps_per_period // MIN_SAMPLES_PER_CYCLE)
    potential = resolve_potential_file(model)
    total_steps = cycles * steps_per_period
    checkpoint_every = steps_for(config["checkpoint_interval"], config, model)
    values = {
        **common_values(config, model, potential),
        "mode": mode,
        "amplitude": float(amplitude),
        "period": float(period),
        "temperature": float(temperature),
        "input_data": relative_path(glass_data, directory),
        "reference_box": reference_box(glass_data),
        "pressure_to_stress": model.units.pressure_to_stress,
        "sample_every": sample_every,
        "total_steps": total_steps,
        "frames_every": steps_per_period,
    }
    return LammpsJob(
        directory=Path(directory), template="dms.lammps", values=values,
        outputs={"data": "final.data"}, series_file="series.dat",
        checkpoint_every=-(-checkpoint_every // sample_every) * sample_every,
        links={} if potential is None else {potential.name: potential},
        provenance=provenance or {})


def publish_cycle_frames(job: LammpsJob, start: Path, one_period: Path) -> None:
    """Copy the snapshots at the start and after the first period (zero strain both)
    out of the job's frames (write, then move into place)."""
    frames = Path(job.directory) / FRAMES_DIR
    for step, target in ((0, start), (job.values["frames_every"], one_period)):
        partial = Path(str(target) + PARTIAL)
        shutil.copyfile(frames / f"frame.{step}.dump", partial)
        os.replace(partial, target)


def read_dms_series(path: Path):
    """The recorded (step, time, strain, stress) table of a DMS job."""
    return read_series(path, columns=DMS_SERIES_COLUMNS)


def state_point(wildcards) -> dict:
    """The DMS state point named by a job's wildcards."""
    return {"sample": int(wildcards.sample), "temperature": float(wildcards.temperature),
            "mode": wildcards.mode, "period": float(wildcards.period),
            "amplitude": float(wildcards.amplitude)}



def fit_record(series_path: Path, state: dict, skip_cycles: int, model: Model,
               provenance: dict) -> dict:
    """Fit of one DMS run with its state point, units and provenance."""
    series = read_dms_series(series_path)
    fit = fit_oscillation(series["time"], series["strain"], series["stress"], state["period"],
                          skip_cycles)
    return {**state, **dataclasses.asdict(fit), "stress_unit": model.units.stress,
            "period_unit": model.units.time, "temperature_unit": model.units.temperature,
            "phase_unit": "rad", "provenance": provenance}

