"""Tables and figures of the metadynamics stage from the per-run records (Yang et al.,
Phys. Rev. B 102, 174103 (2020), Secs. III-IV, Figs. 1-5).

* ``barriers.csv``: every run (also those that did not cross or failed, with their
  status and message): the record without the cluster's atom lists, its folder, and
  the run's frequency nu0 exp(-Delta F / k_B T). Units in the columns
  ``energy_unit`` (hill_weight, basin_depth, barrier, *_free_energy), ``cv_unit``
  (hill_width, *_position; also the numeric cutoff labels), ``time_unit``
  (duration, barrier_time), ``temperature_unit`` (temperature, bias_temperature) and
  ``frequency_unit`` (frequency); barrier_over_kt is Delta F / k_B T.
* ``spectra.csv``: per temperature the counts by status, the spread of the crossed
  barriers, their log-normal fit, the parallel, sequential and effective single
  barriers (Eqs. 4-6) with bootstrap errors and intervals, and the frequencies
  (Eq. 2) they give; a temperature with too few crossed runs has NaNs and a note.
* ``activation.json``: Delta F(T) = Delta Q - T Delta S (Eqs. 3, 7) for each
  single-barrier reduction, with the paper's values for comparison.
* ``cluster_size.csv`` (write_size_convergence): mean barrier and frequency against
  the cluster cutoff (Sec. III, Fig. 2).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.barriers import (MIN_TEMPERATURES, activation_parameters, bootstrap_single_barrier,
                               fit_lognormal, running_statistics, transition_frequency)
from mgrelax.figures import save
from mgrelax.lammps_io import read_hdf5, write_json
from mgrelax.metad import cluster_cutoff
from mgrelax.metad_figures import (activation_figure, arrhenius_figure, cluster_size_figure,
                                   convergence_figure, run_figure, spectra_figure)

LOGGER = logging.getLogger(__name__)
CONFIDENCE = 0.95
CROSSED = "crossed"
FLAGGED_STATUSES = ("no_minimum", "no_saddle", "failed")
DROPPED_FIELDS = ("cluster_ids", "cluster_types", "provenance")
NUMERIC_FIELDS = ("barrier", "minimum_position", "minimum_free_energy", "saddle_position",
                  "saddle_free_energy", "final_minimum_position", "final_minimum_free_energy",
                  "barrier_over_kt")
MIN_BOOTSTRAP = 2
MIN_LOGNORMAL = 3
REDUCTIONS = {"parallel": ("barrier_para", "barrier_para_error"),
              "sequential": ("barrier_seq", "barrier_seq_error"),
              "effective": ("barrier_eff", "barrier_eff_error"),
              "mean": ("barrier_mean", "barrier_sem")}
"""Single-barrier reduction: (column of spectra.csv, column of its standard error)."""
SPECTRA_UNITS = {"temperature_unit": "K", "energy_unit": "eV", "frequency_unit": "Hz",
                 "log_sd_unit": "1 (of ln(Delta F / eV))"}
PAPER = {
    "reference": "Yang et al., Phys. Rev. B 102, 174103 (2020)",
    "temperatures": [200.0, 450.0],
    "activation_energy": 1.36, "activation_energy_error": 0.03,
    "activation_entropy": {"parallel": 5.8, "sequential": 23.9, "effective": 14.8},
    "art_activation_energy": 1.35, "dms_activation_energy": 1.41,
    "dms_activation_energy_error": 0.05, "attempt_frequency": 2e12,
    "note": "4000-atom Cu50Zr50, 50 runs per temperature at 200-450 K, hills of 0.002-0.03 eV "
            "every 1000 steps, Delta T = 2700 K; ART and DMS: activation energies of the ART "
            "search at 0 K and of the experiment on Cu50Zr50",
}


def read_records(paths) -> pd.DataFrame:
    """The run records as a table (one row per run, sorted by temperature, cutoff and
    run), without the cluster's atom lists, with the run's folder; missing barrier
    fields are NaN."""
    rows = []
    for path in paths:
        record = json.loads(Path(path).read_text())
        rows.append({**{k: v for k, v in record.items() if k not in DROPPED_FIELDS},
                     "folder": str(Path(path).parent)})
    table = pd.DataFrame(rows)
    for field in NUMERIC_FIELDS:
        if field in table:
            table[field] = pd.to_numeric(table[field], errors="coerce").astype(float)
    if "cutoff" in table:
        table["cutoff"] = table["cutoff"].astype(str)
    return table.sort_values(["temperature", "cutoff", "run"], kind="stable").reset_index(drop=True)


def crossed(runs: pd.DataFrame) -> pd.Series:
    """Runs with a resolved barrier."""
    return (runs["status"] == CROSSED) & np.isfinite(runs["barrier"])


def barrier_table(runs: pd.DataFrame, attempt_frequency: float) -> pd.DataFrame:
    """barriers.csv: every run with its frequency (Hz, NaN without a barrier)."""
    frequency = transition_frequency(runs["barrier"].to_numpy(), runs["temperature"].to_numpy(),
                                     attempt_frequency)
    return runs.assign(frequency=frequency, frequency_unit="Hz")


def spectrum_row(temperature: float, runs: pd.DataFrame, attempt_frequency: float,
                 confidence: float = CONFIDENCE, **bootstrap_options) -> dict:
    """One row of spectra.csv: the runs of one temperature.

    Barriers of the crossed runs in run order; the single barriers need
    ``MIN_BOOTSTRAP`` and the log-normal fit ``MIN_LOGNORMAL`` of them, else NaN and
    a note saying so.
    """
    barriers = runs.loc[crossed(runs)].sort_values("run")["barrier"].to_numpy()
    n = barriers.size
    statuses = runs["status"].value_counts()
    row = {"temperature": float(temperature),
           "cutoff": "+".join(sorted(runs["cutoff"].unique())),
           "n_runs": len(runs), "n_crossed": n, "n_flagged": len(runs) - n,
           **{f"n_{status}": int(statuses.get(status, 0)) for status in FLAGGED_STATUSES},
           "barrier_mean": barriers.mean() if n else np.nan,
           "barrier_sd": barriers.std(ddof=1) if n > 1 else np.nan}
    row["barrier_sem"] = row["barrier_sd"] / np.sqrt(n) if n > 1 else np.nan
    notes = []
    row.update(_lognormal_columns(barriers, notes))
    row.update(_single_barrier_columns(barriers, temperature, confidence, notes,
                                       **bootstrap_options))
    for name in ("para", "seq", "eff", "mean"):
        row[f"nu_{name}"] = _frequency(row[f"barrier_{name}"], temperature, attempt_frequency)
        if name != "mean":   # a higher barrier gives the lower frequency
            row[f"nu_{name}_low"] = _frequency(row[f"barrier_{name}_high"], temperature,
                                               attempt_frequency)
            row[f"nu_{name}_high"] = _frequency(row[f"barrier_{name}_low"], temperature,
                                                attempt_frequency)
    row.update(confidence=confidence, attempt_frequency=attempt_frequency, note="; ".join(notes))
    if notes:
        LOGGER.info("metad summary: %g K: %s", temperature, row["note"])
    return row


def _lognormal_columns(barriers: np.ndarray, notes: list) -> dict:
    names = ("median", "median_error", "log_mean", "log_mean_error", "log_sd", "log_sd_error",
             "mean", "sd", "ks_pvalue")
    if barriers.size < MIN_LOGNORMAL:
        notes.append(f"{barriers.size} crossed run(s): the log-normal fit needs {MIN_LOGNORMAL}")
        return {f"lognormal_{name}": np.nan for name in names}
    try:
        fit = dataclasses.asdict(fit_lognormal(barriers))
    except ValueError as error:
        notes.append(f"no log-normal fit: {error}")
        return {f"lognormal_{name}": np.nan for name in names}
    return {f"lognormal_{name}": fit[name] for name in names}


def _single_barrier_columns(barriers, temperature, confidence, notes, **options) -> dict:
    columns = {}
    for name in ("para", "seq", "eff"):
        columns.update({f"barrier_{name}": np.nan, f"barrier_{name}_error": np.nan,
                        f"barrier_{name}_low": np.nan, f"barrier_{name}_high": np.nan})
    if barriers.size < MIN_BOOTSTRAP:
        notes.append(f"{barriers.size} crossed run(s): the single barriers need {MIN_BOOTSTRAP}")
        return columns
    try:
        result = bootstrap_single_barrier(barriers, temperature, confidence=confidence, **options)
    except ValueError as error:
        notes.append(f"no single barriers: {error}")
        return columns
    for name, field in (("para", "parallel"), ("seq", "sequential"), ("eff", "effective")):
        low, high = getattr(result, f"{field}_interval")
        columns.update({f"barrier_{name}": getattr(result, field),
                        f"barrier_{name}_error": getattr(result, f"{field}_error"),
                        f"barrier_{name}_low": low, f"barrier_{name}_high": high})
    return columns


def _frequency(barrier: float, temperature: float, attempt_frequency: float) -> float:
    with np.errstate(over="ignore", under="ignore"):
        return float(transition_frequency(barrier, temperature, attempt_frequency))


def spectra_table(runs: pd.DataFrame, attempt_frequency: float, confidence: float = CONFIDENCE,
                  **bootstrap_options) -> pd.DataFrame:
    """spectra.csv: one row per temperature (see spectrum_row), with unit columns."""
    rows = [spectrum_row(temperature, group, attempt_frequency, confidence, **bootstrap_options)
            for temperature, group in runs.groupby("temperature")]
    return pd.DataFrame(rows).assign(**SPECTRA_UNITS)


def activation_fit(temperatures, barriers, errors, reduction: str,
                   confidence: float = CONFIDENCE) -> dict:
    """Delta F(T) = Delta Q - T Delta S over the temperatures where ``barriers`` is
    finite, weighted by 1 / errors^2 where all those errors are finite and positive
    (else unweighted, and ``weighted`` says so); the reason instead of the fit with
    fewer than ``MIN_TEMPERATURES`` such temperatures."""
    t, b, e = (np.asarray(values, dtype=float) for values in (temperatures, barriers, errors))
    usable = np.isfinite(b)
    t, b, e = t[usable], b[usable], e[usable]
    fit = {"temperatures": t.tolist(), "barriers": b.tolist(), "barrier_errors": e.tolist()}
    if t.size < MIN_TEMPERATURES:
        return {**fit, "error": f"{t.size} temperature(s) with a {reduction} barrier: the line "
                                f"Delta F(T) needs at least {MIN_TEMPERATURES}"}
    weighted = bool(np.all(np.isfinite(e) & (e > 0)))
    try:
        result = activation_parameters(t, b, e if weighted else None, confidence)
    except ValueError as error:
        return {**fit, "error": str(error)}
    return {**fit, "weighted": weighted, **dataclasses.asdict(result)}


def activation_record(spectra: pd.DataFrame, attempt_frequency: float,
                      confidence: float = CONFIDENCE) -> dict:
    """activation.json: the fit of each reduction (parallel, sequential, effective
    single barriers weighted by their bootstrap errors; the plain mean by its standard
    error) and the paper's values."""
    reductions = {name: activation_fit(spectra["temperature"], spectra[column], spectra[error],
                                       name, confidence)
                  for name, (column, error) in REDUCTIONS.items()}
    for name, fit in reductions.items():
        if "error" in fit:
            LOGGER.info("metad summary: no activation fit of the %s barrier: %s", name,
                        fit["error"])
    return plain_json({
        "law": "Delta F(T) = Delta Q - T Delta S; activation_energy = Delta Q, "
               "activation_entropy = Delta S",
        "reductions": reductions, "attempt_frequency": attempt_frequency,
        "energy_unit": "eV", "entropy_unit": "k_B", "temperature_unit": "K",
        "frequency_unit": "Hz", "paper": PAPER,
    })


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


def representative_run(runs: pd.DataFrame) -> pd.Series:
    """The crossed run at the lowest temperature with the lowest run index; the first
    run when none crossed."""
    chosen = runs[crossed(runs)]
    return (chosen if len(chosen) else runs).sort_values(["temperature", "run"]).iloc[0]


def representative_figure(runs: pd.DataFrame):
    """Fig. 1 of the representative run, rebuilt from the files next to its record."""
    folder = Path(representative_run(runs)["folder"])
    record = json.loads((folder / "run.json").read_text())
    trajectory = pd.read_csv(folder / "trajectory.csv")
    profile = pd.read_csv(folder / "free_energy.csv")
    return run_figure(trajectory, profile["rmsd"].to_numpy(), profile["free_energy"].to_numpy(),
                      record)


def crossed_barriers(runs: pd.DataFrame) -> dict:
    """Barriers of the crossed runs in run order, by temperature (eV)."""
    return {float(temperature): group.loc[crossed(group)].sort_values("run")["barrier"].to_numpy()
            for temperature, group in runs.groupby("temperature")}


def read_experiments(path) -> pd.DataFrame:
    """Published frequencies: columns label, temperature (K), frequency (Hz)."""
    table = pd.read_csv(path, skipinitialspace=True)
    table.columns = [column.strip() for column in table.columns]
    missing = {"label", "temperature", "frequency"} - set(table.columns)
    if missing:
        raise ValueError(f"metad.experiments {path}: missing columns {sorted(missing)} "
                         "(needs label, temperature in K, frequency in Hz)")
    return table


def art_point(summary_path) -> dict:
    """The ART stage's mean activation energy and its interval (eV), from its summary.json:
    the 0 K point of Delta F(T) (Fig. 4e)."""
    spectrum = json.loads(Path(summary_path).read_text())["activation_energy"]
    return {key: spectrum[key] for key in ("n", "mean", "mean_interval", "confidence",
                                           "interval_method", "unit")}


def write_metad_summary(record_paths, output, attempt_frequency: float, experiments_csv=None,
                        confidence: float = CONFIDENCE, art_summary=None,
                        **bootstrap_options) -> None:
    """Every table and figure of the metad_summary rule (``output``: its named outputs).

    ``art_summary``: the ART stage's summary.json, whose mean activation energy goes into
    activation.json and the Delta F(T) figure at 0 K (None: no ART point).
    ``bootstrap_options`` go to analysis.barriers.bootstrap_single_barrier
    (n_resamples, seed, method)."""
    runs = read_records(record_paths)
    barrier_table(runs, attempt_frequency).to_csv(output.barriers, index=False)
    spectra = spectra_table(runs, attempt_frequency, confidence, **bootstrap_options)
    spectra.to_csv(output.spectra, index=False)
    activation = activation_record(spectra, attempt_frequency, confidence)
    if art_summary is not None:
        activation["art"] = art_point(art_summary)
    write_json(output.activation, activation)
    Path(output.run_figure).parent.mkdir(parents=True, exist_ok=True)
    save(representative_figure(runs), output.run_figure, output.run_figure_pdf)
    samples = crossed_barriers(runs)
    save(spectra_figure(samples, spectra), output.spectra_figure, output.spectra_figure_pdf)
    curves = {t: running_statistics(b) for t, b in samples.items() if b.size}
    save(convergence_figure(curves), output.convergence_figure, output.convergence_figure_pdf)
    save(activation_figure(spectra, activation, activation.get("art")),
         output.activation_figure, output.activation_figure_pdf)
    experiments = None if experiments_csv is None else read_experiments(experiments_csv)
    save(arrhenius_figure(spectra, activation, experiments), output.arrhenius_figure,
         output.arrhenius_figure_pdf)


def size_table(runs: pd.DataFrame, structure: dict, attempt_frequency: float) -> pd.DataFrame:
    """cluster_size.csv: per (temperature, cutoff) the cutoff radius (Angstrom; named
    cutoffs from the glass's g(r) record ``structure``), the mean number of cluster
    atoms, counts, the arithmetic mean barrier of the crossed runs with its standard
    error (eV), and nu = nu0 exp(-<Delta F> / k_B T) (Hz) with the range from
    <Delta F> -+ its standard error; sorted by radius."""
    rows = []
    for (temperature, cutoff), group in runs.groupby(["temperature", "cutoff"]):
        barriers = group.loc[crossed(group), "barrier"].to_numpy()
        n = barriers.size
        mean = barriers.mean() if n else np.nan
        sem = barriers.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
        rows.append({
            "temperature": float(temperature), "cutoff": cutoff,
            "cutoff_radius": cluster_cutoff(cutoff, structure),
            "n_cluster_atoms": group["n_cluster_atoms"].mean(), "n_runs": len(group),
            "n_crossed": n, "n_flagged": len(group) - n, "barrier_mean": mean, "barrier_sem": sem,
            "frequency": _frequency(mean, temperature, attempt_frequency),
            "frequency_low": _frequency(mean + sem, temperature, attempt_frequency),
            "frequency_high": _frequency(mean - sem, temperature, attempt_frequency),
            "attempt_frequency": attempt_frequency,
            "note": "" if n > 1 else f"{n} crossed run(s): no standard error",
        })
    table = pd.DataFrame(rows).sort_values(["temperature", "cutoff_radius"], kind="stable")
    return table.assign(temperature_unit="K", length_unit="Angstrom", energy_unit="eV",
                        frequency_unit="Hz").reset_index(drop=True)


def write_size_convergence(record_paths, structure_h5_path, output,
                           attempt_frequency: float) -> None:
    """Cluster-size convergence (Fig. 2): ``output.table`` (see size_table) and
    ``output.figure``/``figure_pdf``: (a) the total g(r) of the glass with the cutoffs
    marked, (b) mean barrier and frequency against the number of cluster atoms. The
    named radii come from the structure.json next to ``structure_h5_path``."""
    runs = read_records(record_paths)
    structure = json.loads((Path(structure_h5_path).parent / "structure.json").read_text())
    table = size_table(runs, structure, attempt_frequency)
    table.to_csv(output.table, index=False)
    datasets, _ = read_hdf5(structure_h5_path)
    Path(output.figure).parent.mkdir(parents=True, exist_ok=True)
    save(cluster_size_figure(datasets["r"][0], datasets["g/total"][0], table), output.figure,
         output.figure_pdf)
