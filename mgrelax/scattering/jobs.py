"""Self-intermediate scattering function F_s(q, t) from unstrained NVT runs.

At each DMS temperature the equilibrated glass (or supercooled liquid) runs
under NVT, recording unwrapped positions; F_s(q1, t) at the first peak q1 of
S(q) (from the total g(r) of the same state) is fitted with a KWW function
A exp[-(t/tau_alpha)^beta] (Fusco Eq. 10), an estimate of the alpha-relaxation
time independent of the mechanical spectra. The errors of F_s come from blocks of
time origins, those of the fit from the jackknife over the same blocks
(analysis.dynamics), and those of the means over samples from their spread.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from analysis.dynamics import NoRelaxationError, fit_relaxation, self_intermediate_scattering
from analysis.structure import first_peak_of_structure_factor
from mgrelax.glass.jobs import hold_frames
from mgrelax.jobs import LammpsJob, common_values, relative_path
from mgrelax.lammps_io import read_dump_frame, read_hdf5, write_hdf5
from mgrelax.plan import lammps_timestep, steps_for
from mgrelax.potentials import Model, resolve_potential_file

def scattering_job(config: dict, model: Model, temperature: float, directory: Path,
                   glass_data: Path, provenance: dict | None = None) -> LammpsJob:
    """NVT run of ``intermediate_scattering.duration`` with unwrapped snapshots."""
    settings = config["intermediate_scattering"]
    potential = resolve_potential_file(model)
    total_steps = steps_for(settings["duration"], config, model)
    frames_every = max(1, total_steps // settings["frames"])
    checkpoint_every = steps_for(config["checkpoint_interval"], config, model)
    values = {**common_values(config, model, potential),
              "temperature": float(temperature),
              "input_data": relative_path(glass_data, directory),
              "total_steps": total_steps,
              "frames_every": frames_every,
              "unwrapped_frames": True}
    return LammpsJob(
        directory=Path(directory), template="nvt_frames.lammps", values=values,
        outputs={"data": "final.data"},
        checkpoint_every=-(-checkpoint_every // frames_every) * frames_every,
        links={} if potential is None else {potential.name: potential},
        provenance=provenance or {})


def first_peak_wavenumber(structure_h5: Path) -> float:
    """q1 (1/length) of S(q) from the total g(r) stored by the glass stage."""
    datasets, attributes = read_hdf5(structure_h5)
    return first_peak_of_structure_factor(datasets["r"][0], datasets["g/total"][0],
                                          float(attributes["number_density"])).q_peak


def scattering_record(job: LammpsJob, structure_h5: Path, table_path: Path, model: Model,
                      config: dict, provenance: dict) -> dict:
    """F_s(q1, t) of a finished run with its block errors (stored in HDF5) and its KWW fit
    (analysis.dynamics.fit_relaxation), or why there is none."""
    frames = [read_dump_frame(path) for path in hold_frames(job.directory, 0)]
    times = np.array([frame.step for frame in frames]) * lammps_timestep(config, model)
    q1 = first_peak_wavenumber(structure_h5)
    scattering = self_intermediate_scattering(times, np.array([f.positions for f in frames]), q1)
    units = model.units
    write_hdf5(table_path, {"lag": (scattering.lag, units.time), "fs": (scattering.fs, "1"),
                            "fs_error": (scattering.fs_error, "1"),
                            "fs_by_block": (scattering.fs_by_block, "1"),
                            "n_origins": (scattering.n_origins, "1")},
               {"q1": q1, "q1_unit": f"1/{units.length}", "fs_error_kind": scattering.error_kind,
                "n_blocks": scattering.n_blocks, "provenance": provenance})
    record = {"q1": q1, "q1_unit": f"1/{units.length}", "time_unit": units.time,
              "fs_final": float(scattering.fs[-1]), "fs_error_kind": scattering.error_kind,
              "provenance": provenance}
    try:
        relaxation = fit_relaxation(scattering)
    except NoRelaxationError as error:
        return {**record, "error": f"{error}; lengthen intermediate_scattering.duration"}
    return {**record, **dataclasses.asdict(relaxation)}


