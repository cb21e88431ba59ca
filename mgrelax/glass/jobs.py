"""The glass-preparation stage: melt, quench, anneal, equilibrate, inherent structures.

Each function builds the :class:`~mgrelax.jobs.LammpsJob` of one step from the
validated configuration; the Snakemake scripts run them. Protocol after Yang et
al., Phys. Rev. B 102, 174103 (2020), Sec. II, and Fusco's review, Sec. III.A.3:
a random liquid is melted and checked to be a liquid, quenched under NPT at a
set cooling rate through Tg, annealed below Tg, brought to each temperature of
the campaign at the same rate and equilibrated there; inherent structures
follow by energy minimisation; :func:`run_minimisations` runs them with a progress line
in the job's log as each starts and ends, and LAMMPS reports every
MINIMISATION_THERMO_EVERY iterations in the job's log.lammps.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import numpy as np

from analysis.glass_transition import fit_glass_transition, fit_hinge_transition
from analysis.dynamics import check_liquid as msd_liquid_check
from analysis.box import perpendicular_widths
from analysis.structure import first_peak_and_minimum, pair_distribution
from mgrelax.jobs import LOG_FILE, LammpsJob, Progress, common_values, relative_path, run_job
from mgrelax.lammps_io import (MINIMISATION_EVALUATIONS, MINIMISATION_STOPPED, read_data_file,
                               read_dump_frame, read_hdf5, read_key_values, read_series,
                               write_hdf5, write_json)
from mgrelax.launch import LaunchSettings
from mgrelax.plan import atom_counts, dense_volume, ramp_duration, steps_for
from mgrelax.potentials import Model, resolve_potential_file

MELT_SERIES_EXTRA = ("msd",)
MINIMISATION_THERMO_EVERY = 100
"""Iterations between the progress lines of a minimisation in its log.lammps."""
LOGGER = logging.getLogger(__name__)


class LiquidCheckError(RuntimeError):
    """The melt is not a liquid (or not all atoms could be placed)."""


def seeds(config: dict, sample: int) -> dict:
    """Random seeds of one sample (LAMMPS wants positive integers)."""
    base = config["seed"] + 7919 * sample
    return {"placement": base, "velocity": base + 1}


def ramp_steps(t_from: float, t_to: float, rate: float, config: dict, model: Model) -> int:
    """Steps to change the temperature by |t_to - t_from| at ``rate`` (config units)."""
    return steps_for(ramp_duration(t_from, t_to, rate, model), config, model)


def schedule(segments: list[tuple[str, float, float, int]]) -> list[dict]:
    """Consecutive temperature segments (name, T_start, T_stop, steps) with step bounds."""
    result, step = [], 0
    for name, t_start, t_stop, steps in segments:
        if steps > 0:
            result.append({"name": name, "t_start": float(t_start), "t_stop": float(t_stop),
                           "start_step": step, "end_step": step + steps})
            step += steps
    if not result:
        raise ValueError("the temperature schedule has no steps: check durations and rates")
    return result


def record_block(record_every: int) -> dict:
    """fix ave/time arguments that average over each record interval (about 10 samples)."""
    every = max(d for d in range(1, min(10, record_every) + 1) if record_every % d == 0)
    return {"every": every, "repeat": record_every // every, "frequency": record_every}


def _job(config: dict, model: Model, directory: Path, template: str, values: dict,
         outputs: dict, provenance: dict | None = None, series: bool = True) -> LammpsJob:
    """A job of ``template``; ``series``: it records the block-averaged series table."""
    potential = resolve_potential_file(model)
    values = {**common_values(config, model, potential), **values}
    record_every = 1
    if series:
        record_every = max(1, steps_for(config["record_interval"], config, model))
        values["record"] = record_block(record_every)
        values["total_steps"] = values["segments"][-1]["end_step"]
    checkpoint_every = steps_for(config["checkpoint_interval"], config, model)
    return LammpsJob(
        directory=Path(directory), template=template, values=values, outputs=outputs,
        series_file="series.dat" if series else None,
        # a multiple of the record interval, so a resumed series continues without a seam
        checkpoint_every=-(-checkpoint_every // record_every) * record_every,
        links={} if potential is None else {potential.name: potential},
        provenance=provenance or {})


def melt_job(config: dict, model: Model, sample: int, directory: Path,
             provenance: dict | None = None) -> LammpsJob:
    """Random liquid of n_atoms, minimised to remove overlaps, held at the melt temperature."""
    melt = config["melt"]
    counts = atom_counts(config, model)
    box_length = (dense_volume(config, model) * melt["packing_factor"]) ** (1 / 3)
    sample_seeds = seeds(config, sample)
    hold = steps_for(melt["duration"], config, model)
    values = {
        "n_atoms": config["n_atoms"],
        "box_length": box_length,
        "atom_counts": [{"type": model.type_of(s), "count": n, "seed": sample_seeds["placement"]
                         + model.type_of(s)} for s, n in counts.items() if n > 0],
        "overlap_distance": float(melt["overlap_distance"]),
        "minimize_force_tolerance": 1.0e-2,
        "temperature": float(melt["temperature"]),
        "velocity_seed": sample_seeds["velocity"],
        "extra_series": list(MELT_SERIES_EXTRA),
        "segments": schedule([("melt", melt["temperature"], melt["temperature"], hold)]),
    }
    return _job(config, model, directory, "melt.lammps", values, {"data": "liquid.data"},
                provenance=provenance)


def quench_job(config: dict, model: Model, directory: Path, liquid_data: Path,
               provenance: dict | None = None) -> LammpsJob:
    """NPT quench from the melt temperature to quench.temperature_end at the cooling rate."""
    t_melt, t_end = config["melt"]["temperature"], config["quench"]["temperature_end"]
    steps = ramp_steps(t_melt, t_end, config["quench"]["cooling_rate"], config, model)
    values = {"stage": "quench",
              "input_data": relative_path(liquid_data, directory),
              "segments": schedule([("quench", t_melt, t_end, steps)])}
    return _job(config, model, directory, "npt_schedule.lammps", values,
                {"data": "quenched.data"}, provenance=provenance)


def anneal_rate(config: dict) -> float:
    return config["anneal"].get("rate", config["quench"]["cooling_rate"])


def anneal_job(config: dict, model: Model, directory: Path, quenched_data: Path,
               provenance: dict | None = None) -> LammpsJob:
    """Heat (or cool) to the annealing temperature, then hold there (sub-Tg annealing)."""
    t_from, anneal = config["quench"]["temperature_end"], config["anneal"]
    ramp = ramp_steps(t_from, anneal["temperature"], anneal_rate(config), config, model)
    hold = steps_for(anneal["duration"], config, model)
    values = {"stage": "anneal",
              "input_data": relative_path(quenched_data, directory),
              "segments": schedule([("ramp", t_from, anneal["temperature"], ramp),
                                    ("anneal", anneal["temperature"], anneal["temperature"],
                                     hold)])}
    return _job(config, model, directory, "npt_schedule.lammps", values,
                {"data": "annealed.data"}, provenance=provenance)


def equilibrate_job(config: dict, model: Model, temperature: float, directory: Path,
                    annealed_data: Path, provenance: dict | None = None) -> LammpsJob:
    """Bring the annealed glass to ``temperature`` at the anneal rate and hold it (NPT)."""
    t_from = config["anneal"]["temperature"]
    ramp = ramp_steps(t_from, temperature, anneal_rate(config), config, model)
    hold = steps_for(config["equilibrate"]["duration"], config, model)
    frames_every = max(1, hold // config["equilibrate"]["frames"])
    values = {"stage": "equilibrate",
              "input_data": relative_path(annealed_data, directory),
              "frames_every": frames_every,
              "segments": schedule([("ramp", t_from, temperature, ramp),
                                    ("hold", temperature, temperature, hold)])}
    return _job(config, model, directory, "npt_schedule.lammps", values,
                {"data": "glass.data"}, provenance=provenance)


def inherent_structure_job(config: dict, model: Model, directory: Path, glass_data: Path,
                           provenance: dict | None = None, frame: Path | None = None,
                           triclinic: bool = False) -> LammpsJob:
    """Energy minimisation at fixed box of one configuration.

    ``glass_data`` gives atoms, types and masses; a dump ``frame`` of the same
    atoms (``triclinic``: its box is) replaces their positions and the box.
    """
    settings = config["inherent_structure"]
    values = {"input_data": relative_path(glass_data, directory),
              "input_frame": None if frame is None else relative_path(frame, directory),
              "frame_step": 0 if frame is None else read_dump_frame(frame).step,
              "triclinic": triclinic,
              "min_style": settings["min_style"],
              "energy_tolerance": float(settings["energy_tolerance"]),
              "force_tolerance": float(settings["force_tolerance"]),
              "max_iterations": settings["max_iterations"],
              "max_evaluations": settings["max_evaluations"],
              "thermo_every": MINIMISATION_THERMO_EVERY}
    return _job(config, model, directory, "inherent_structure.lammps", values,
                {"data": "inherent.data", "summary": "minimization.txt"},
                provenance=provenance, series=False)


def hold_frames(directory: Path, first_step: int) -> list[Path]:
    """Snapshot files of a job written at or after ``first_step``, in step order."""
    frames = sorted(Path(directory, "frames").glob("frame.*.dump"),
                    key=lambda p: int(p.name.split(".")[1]))
    return [f for f in frames if int(f.name.split(".")[1]) >= first_step]


def check_liquid(config: dict, model: Model, directory: Path) -> dict:
    """Check the melt: every atom placed, and atoms diffused past their first shell."""
    configuration = read_data_file(Path(directory) / "liquid.data")
    if configuration.n_atoms != config["n_atoms"]:
        raise LiquidCheckError(
            f"melt: only {configuration.n_atoms} of {config['n_atoms']} atoms could be placed; "
            "lower melt.overlap_distance or raise melt.packing_factor")
    series = read_series(Path(directory) / "series.dat", MELT_SERIES_EXTRA)
    rdf = pair_distribution(configuration.positions, configuration.types, configuration.box,
                            r_max=min(config["structure"]["r_max"],
                                      0.49 * min(perpendicular_widths(configuration.box))),
                            n_bins=config["structure"]["n_bins"])
    peak = first_peak_and_minimum(rdf.r, rdf.g_total)
    check = msd_liquid_check(float(series["msd"].iloc[-1]), peak.r_peak,
                      config["melt"]["liquid_msd_factor"])
    record = {"msd_final": check.msd_final, "msd_threshold": check.threshold,
              "first_peak": peak.r_peak, "length_unit": model.units.length,
              "passed": bool(check.passed), "reason": check.reason}
    if not check.passed:
        raise LiquidCheckError(f"melt is not a liquid: {check.reason}; raise melt.temperature "
                               "or melt.duration")
    return record



def series_to_hdf5(series_path: Path, table_path: Path, model: Model, n_atoms: int,
                   record: dict) -> None:
    """Store a recorded series (T, P, V, E, H against time) in HDF5 with units."""
    series = read_series(series_path)
    units = model.units
    column_units = {"step": "1", "time": units.time, "target_temperature": units.temperature,
                    "temperature": units.temperature,
                    "pressure": units.pressure, "volume": units.volume,
                    "potential_energy": units.energy, "enthalpy": units.energy}
    write_hdf5(table_path, {name: (series[name].to_numpy(), unit)
                            for name, unit in column_units.items()},
               {"n_atoms": n_atoms, "provenance": record})


def structure_of_hold(job: LammpsJob, config: dict, model: Model, structure_path: Path,
                      peaks_path: Path, record: dict) -> None:
    """Total and partial g(r) averaged over the hold's snapshots; first peak and minimum."""
    first_step = job.values["segments"][-1]["start_step"]
    frames = [read_dump_frame(path) for path in hold_frames(job.directory, first_step)]
    boxes = np.array([frame.box for frame in frames])
    r_max = min(config["structure"]["r_max"], 0.49 * min(perpendicular_widths(boxes[0])))
    rdf = pair_distribution(np.array([frame.positions for frame in frames]), frames[0].types,
                            boxes, r_max=r_max, n_bins=config["structure"]["n_bins"])
    names = model.species_names
    curves = {"total": (rdf.g_total, rdf.g_total_error)}
    curves.update({f"{names[a - 1]}-{names[b - 1]}": (rdf.g_partial[(a, b)],
                                                       rdf.g_partial_error[(a, b)])
                   for a, b in rdf.g_partial})
    datasets = {"r": (rdf.r, model.units.length)}
    for label, (g, error) in curves.items():
        datasets[f"g/{label}"] = (g, "1")
        datasets[f"g_error/{label}"] = (error, "1")
    write_hdf5(structure_path, datasets, {"n_frames": rdf.n_frames,
                                          "number_density": rdf.number_density,
                                          "provenance": record})
    peaks = {"length_unit": model.units.length, "n_frames": rdf.n_frames,
             "number_density": rdf.number_density, "pairs": {}}
    for label, (g, _) in curves.items():
        try:
            peaks["pairs"][label] = dataclasses.asdict(first_peak_and_minimum(rdf.r, g))
        except ValueError as error:  # a minor partial can be too noisy: say so, keep going
            peaks["pairs"][label] = {"error": str(error)}
    write_json(peaks_path, peaks)


def minimization_record(directory: Path, model: Model, record: dict) -> dict:
    """Energies (total and per atom) and residual forces of an inherent structure."""
    values = read_key_values(Path(directory) / "minimization.txt")
    n_atoms = int(values["atoms"])
    units = model.units
    return {
        "n_atoms": n_atoms,
        "energy_unit": units.energy,
        "force_unit": f"{units.energy}/{units.length}",
        "initial_potential_energy": values["initial_potential_energy"],
        "potential_energy": values["potential_energy"],
        "potential_energy_per_atom": values["potential_energy"] / n_atoms,
        "force_norm": values["force_norm"],
        "max_force_component": values["max_force_component"],
        "iterations": int(values["iterations"]),
        "volume": values["volume"],
        "volume_unit": units.volume,
        "provenance": record,
    }


def run_minimisations(jobs: dict[str, LammpsJob], config: dict, model: Model,
                      launch: LaunchSettings) -> dict[str, dict]:
    """Run the inherent-structure jobs ``jobs`` ({name: job}) one after another, with a
    progress line in the job's log as each starts and ends; {name: minimization_record}."""
    progress, records = Progress(LOGGER, "minimisation", len(jobs)), {}
    for name, job in jobs.items():
        progress.start(minimisation_plan(name, job, config["n_atoms"], model))
        records[name] = minimization_record(job.directory, model, run_job(job, launch))
        progress.finish(minimisation_outcome(name, Path(job.directory), records[name]))
    return records


def minimisation_plan(name: str, job: LammpsJob, n_atoms: int, model: Model) -> str:
    """What the start line of a minimisation says: the system, the minimiser, the limits."""
    values, units = job.values, model.units
    return (f"{name}, {n_atoms} atoms, {values['min_style']} until the force 2-norm is below "
            f"{values['force_tolerance']:g} {units.energy}/{units.length} (energy tolerance "
            f"{values['energy_tolerance']:g}), at most {values['max_iterations']} iterations "
            f"and {values['max_evaluations']} force evaluations; LAMMPS reports every "
            f"{values['thermo_every']} iterations in {Path(job.directory) / LOG_FILE}")


def minimisation_outcome(name: str, directory: Path, record: dict) -> str:
    """What the end line of a minimisation says: why it stopped, its iterations and force
    evaluations (from its LAMMPS log), the energy and the residual forces (``record``)."""
    log = (directory / LOG_FILE).read_text()
    stopped = MINIMISATION_STOPPED.search(log).group(1)
    iterations, evaluations = MINIMISATION_EVALUATIONS.search(log).groups()
    energy, force = record["energy_unit"], record["force_unit"]
    return (f"({name}): {stopped}, {iterations} iterations, {evaluations} force evaluations; "
            f"energy {record['potential_energy']:.8g} {energy} "
            f"({record['potential_energy_per_atom']:.6g} {energy}/atom) from "
            f"{record['initial_potential_energy']:.8g} {energy}, force 2-norm "
            f"{record['force_norm']:.3g} {force}, largest component "
            f"{record['max_force_component']:.3g} {force}")


GLASS_TRANSITION_QUANTITIES = {"volume": "volume", "potential_energy": "energy",
                               "enthalpy": "energy"}
"""Quantities whose kink is fitted, with their dimension."""
TG_QUANTITIES = ("volume", "potential_energy")
"""Quantities whose Tg the summaries report."""
QUANTITY_SYMBOLS = {"volume": "V", "potential_energy": "E", "enthalpy": "H"}


def fit_windows(temperature: np.ndarray, config: dict) -> tuple[tuple, tuple]:
    """Glass and liquid fit windows (temperature ranges) from the configured fractions."""
    low, span = float(temperature.min()), float(np.ptp(temperature))
    return tuple(tuple(low + fraction * span for fraction in config["glass_transition"][window])
                 for window in ("glass_window", "liquid_window"))


def glass_transition_record(table_path: Path, config: dict, model: Model) -> dict:
    """Tg from the kink of V(T), E(T) and H(T) per atom recorded during the quench.

    The abscissa is the thermostat's target temperature (free of the thermal noise
    of the instantaneous temperature, which it leads by about rate x damping time).
    Each quantity's fit carries, under "hinge", the second estimate of the same kink:
    the breakpoint of a continuous two-line fit over both windows and the gap between.
    """
    datasets, attributes = read_hdf5(table_path)
    n_atoms = int(attributes["n_atoms"])
    temperature = datasets["target_temperature"][0]
    glass_window, liquid_window = fit_windows(temperature, config)
    record = {"temperature_unit": model.units.temperature, "n_atoms": n_atoms,
              "glass_window": glass_window, "liquid_window": liquid_window, "fits": {}}
    for quantity, dimension in GLASS_TRANSITION_QUANTITIES.items():
        per_atom = datasets[quantity][0] / n_atoms
        unit = f"{getattr(model.units, dimension)}/atom"
        fit = _kink_fit(fit_glass_transition, temperature, per_atom, glass_window, liquid_window)
        fit["hinge"] = _kink_fit(fit_hinge_transition, temperature, per_atom,
                                 (glass_window[0], liquid_window[1]),
                                 (glass_window[1], liquid_window[0]))
        record["fits"][quantity] = {**fit, "unit": unit}
    return record


def _kink_fit(estimator, *arguments) -> dict:
    """The estimator's result as a dict, or {"error": why} where it finds no kink (reported,
    not dropped)."""
    try:
        return dataclasses.asdict(estimator(*arguments))
    except ValueError as error:
        return {"error": str(error)}
