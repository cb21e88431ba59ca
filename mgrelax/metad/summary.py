"""Tables and figures of the metadynamics stage from the per-run records (Yang et al.,
Phys. Rev. B 102, 174103 (2020), Secs. III-IV, Figs. 1-5).

* ``barriers.csv``: every run (also those that did not cross or failed, with their
  status and message): the record without the cluster's atom lists, its folder, the
  lower bound ``censored_at`` of the barrier of a run that did not cross (see
  censoring_level), and the run's frequency nu0 exp(-Delta F / k_B T). Units in the
  columns ``energy_unit`` (hill_weight, basin_depth, barrier, censored_at,
  *_free_energy), ``cv_unit``
  (hill_width, *_position; also the numeric cutoff labels), ``time_unit``
  (duration, barrier_time), ``temperature_unit`` (temperature, bias_temperature) and
  ``frequency_unit`` (frequency); barrier_over_kt is Delta F / k_B T.
* ``spectra.csv``: per temperature (see spectrum_row) the counts by status, the
  spread of the crossed barriers, Gaussian and log-normal fits with the no_saddle runs
  as right-censored barriers, the parallel, sequential and effective single barriers
  (Eqs. 4-6) of the fitted Gaussian (the main ones) and the parallel one of the
  log-normal with parametric-bootstrap intervals, the paper's plug-in reductions of
  the crossed barriers for comparison, and the frequencies (Eq. 2) of the main ones;
  a temperature with too few crossed runs has NaNs and a note.
* ``activation.json``: Delta F(T) = Delta Q - T Delta S (Eqs. 3, 7) for each
  single-barrier reduction (REDUCTIONS), with the paper's values for comparison.
* ``cluster_size.csv`` (write_size_convergence): mean barrier and frequency against
  the cluster cutoff (Sec. III, Fig. 2).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.barriers import (MIN_OBSERVED, MIN_TEMPERATURES, activation_parameters, fit_lognormal,
                               model_single_barrier, running_statistics, single_barrier,
                               transition_frequency)
from mgrelax.figures import save
from mgrelax.lammps_io import plain_json, read_hdf5, write_json
from mgrelax.metad.figures import (activation_figure, arrhenius_figure, cluster_size_figure,
                                   convergence_figure, run_figure, spectra_figure)
from mgrelax.metad.jobs import cluster_cutoff

LOGGER = logging.getLogger(__name__)
CONFIDENCE = 0.95
CROSSED = "crossed"
NO_SADDLE = "no_saddle"
FLAGGED_STATUSES = ("no_minimum", "no_saddle", "failed")
DROPPED_FIELDS = ("cluster_ids", "cluster_types", "provenance")
NUMERIC_FIELDS = ("barrier", "minimum_position", "minimum_free_energy", "saddle_position",
                  "saddle_free_energy", "final_minimum_position", "final_minimum_free_energy",
                  "barrier_over_kt")
MIN_PLUGIN = 2
"""Least number of crossed runs of the paper's plug-in reductions."""
CENSORED_WARNING_FRACTION = 0.2
"""More censored runs than this fraction of a temperature's runs: a warning and a note."""
INTERVAL_METHOD = ("parametric bootstrap (generalized pivotal quantity) of the fit with the "
                   "no_saddle runs right-censored")
REDUCTIONS = {"parallel": ("barrier_para", "barrier_para_error"),
              "sequential": ("barrier_seq", "barrier_seq_error"),
              "effective": ("barrier_eff", "barrier_eff_error"),
              "mean": ("barrier_mean", "barrier_sem"),
              "lognormal_parallel": ("lognormal_barrier_para", "lognormal_barrier_para_error"),
              "plugin_parallel": ("plugin_barrier_para", None),
              "plugin_sequential": ("plugin_barrier_seq", None),
              "plugin_effective": ("plugin_barrier_eff", None)}
"""Single-barrier reduction: (column of spectra.csv, column of its standard error; None:
no error, an unweighted fit)."""
SHORT_NAMES = {"parallel": "para", "sequential": "seq", "effective": "eff"}
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
    run), without the cluster's atom lists, with the run's folder and, for no_saddle
    runs, ``censored_at`` (eV, censoring_level; NaN for the others); missing barrier
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
    table["censored_at"] = [censoring_level(run) if run["status"] == NO_SADDLE else np.nan
                            for _, run in table.iterrows()]
    return table.sort_values(["temperature", "cutoff", "run"], kind="stable").reset_index(drop=True)


def censoring_level(run: pd.Series) -> float:
    """Lower bound (eV) of the barrier of a no_saddle run: the depth the bias had filled
    when the run stopped, max F to the right of the initial minimum minus F there, on
    the profile at the run's end (free_energy.csv in its folder; the record holds this
    number only rounded, in its message "F rises by ... eV"). The run never left that
    filled basin for a resolved second one, so its barrier exceeds the depth. Without
    the profile or a minimum: the record's basin_depth (the least depth of a basin, a
    much weaker bound), with a warning."""
    profile_path = Path(run["folder"]) / "free_energy.csv"
    if profile_path.exists() and np.isfinite(run["minimum_position"]):
        profile = pd.read_csv(profile_path)
        beyond = profile["rmsd"] >= run["minimum_position"]
        return float(profile.loc[beyond, "free_energy"].max() - run["minimum_free_energy"])
    LOGGER.warning("metad summary: %s: no profile or minimum; censored at basin_depth %s eV",
                   run["folder"], run.get("basin_depth"))
    return float(run.get("basin_depth", np.nan))


def crossed(runs: pd.DataFrame) -> pd.Series:
    """Runs with a resolved barrier."""
    return (runs["status"] == CROSSED) & np.isfinite(runs["barrier"])


def censored(runs: pd.DataFrame) -> pd.Series:
    """no_saddle runs with a censoring level: barriers known to exceed ``censored_at``."""
    return (runs["status"] == NO_SADDLE) & np.isfinite(runs["censored_at"])


def barrier_table(runs: pd.DataFrame, attempt_frequency: float) -> pd.DataFrame:
    """barriers.csv: every run with its frequency (Hz, NaN without a barrier)."""
    frequency = transition_frequency(runs["barrier"].to_numpy(), runs["temperature"].to_numpy(),
                                     attempt_frequency)
    return runs.assign(frequency=frequency, frequency_unit="Hz")


def spectrum_row(temperature: float, runs: pd.DataFrame, attempt_frequency: float,
                 confidence: float = CONFIDENCE, **model_options) -> dict:
    """One row of spectra.csv: the runs of one temperature.

    Counts: n_crossed resolved barriers and n_censored no_saddle runs, right-censored
    at censored_at, make the n runs of every fit and interval (no_minimum and failed
    runs are counted, not fitted). barrier_mean/sd/sem: of the crossed runs only.
    normal_*, lognormal_*: maximum-likelihood fits with the censored runs (the
    log-normal's Kolmogorov-Smirnov p-value NaN where runs are censored). Main single
    barriers barrier_para/seq/eff (eV): those of the fitted Gaussian
    (analysis.barriers.model_single_barrier) with the sd of their parametric-bootstrap
    distribution (_error) and the ``confidence`` interval (_low, _high);
    lognormal_barrier_para likewise for the log-normal, whose sequential and effective
    barriers are infinite. plugin_barrier_*: the paper's reductions of the crossed
    barriers (biased, no interval: their bootstrap intervals undercover). The fits
    need ``MIN_OBSERVED`` crossed runs and the plug-in values ``MIN_PLUGIN``, else NaN
    and a note; more than CENSORED_WARNING_FRACTION censored runs: a warning and a
    note. ``model_options`` (n_resamples, seed) go to model_single_barrier.
    """
    barriers = runs.loc[crossed(runs)].sort_values("run")["barrier"].to_numpy()
    censored_at = runs.loc[censored(runs), "censored_at"].to_numpy()
    n = barriers.size + censored_at.size
    statuses = runs["status"].value_counts()
    row = {"temperature": float(temperature),
           "cutoff": "+".join(sorted(runs["cutoff"].unique())),
           "n_runs": len(runs), "n_crossed": barriers.size, "n_flagged": len(runs) - barriers.size,
           **{f"n_{status}": int(statuses.get(status, 0)) for status in FLAGGED_STATUSES},
           "n_censored": censored_at.size, "n": n,
           "barrier_mean": barriers.mean() if barriers.size else np.nan,
           "barrier_sd": barriers.std(ddof=1) if barriers.size > 1 else np.nan}
    row["barrier_sem"] = row["barrier_sd"] / np.sqrt(barriers.size) if barriers.size > 1 else np.nan
    notes = []
    if censored_at.size > CENSORED_WARNING_FRACTION * n:
        notes.append(f"{censored_at.size} of {n} runs censored (more than "
                     f"{CENSORED_WARNING_FRACTION:.0%}): the fits lean on the shape above the "
                     "censoring levels, the plug-in values are biased low")
        LOGGER.warning("metad summary: %g K: %s", temperature, notes[-1])
    row.update(_lognormal_columns(barriers, censored_at, notes))
    row.update(_model_columns(barriers, censored_at, temperature, confidence, notes,
                              **model_options))
    row.update(_plugin_columns(barriers, temperature, notes))
    for name in ("para", "seq", "eff", "mean"):
        row[f"nu_{name}"] = _frequency(row[f"barrier_{name}"], temperature, attempt_frequency)
        if name != "mean":   # a higher barrier gives the lower frequency
            row[f"nu_{name}_low"] = _frequency(row[f"barrier_{name}_high"], temperature,
                                               attempt_frequency)
            row[f"nu_{name}_high"] = _frequency(row[f"barrier_{name}_low"], temperature,
                                                attempt_frequency)
    row.update(confidence=confidence, interval_method=INTERVAL_METHOD,
               attempt_frequency=attempt_frequency, note="; ".join(notes))
    if notes:
        LOGGER.info("metad summary: %g K: %s", temperature, row["note"])
    return row


def _lognormal_columns(barriers: np.ndarray, censored_at: np.ndarray, notes: list) -> dict:
    names = ("median", "median_error", "log_mean", "log_mean_error", "log_sd", "log_sd_error",
             "mean", "sd", "ks_pvalue")
    if barriers.size < MIN_OBSERVED:
        notes.append(f"{barriers.size} crossed run(s): the fits need {MIN_OBSERVED}")
        return {f"lognormal_{name}": np.nan for name in names}
    try:
        fit = dataclasses.asdict(fit_lognormal(barriers, censored_at))
    except ValueError as error:
        notes.append(f"no log-normal fit: {error}")
        return {f"lognormal_{name}": np.nan for name in names}
    return {f"lognormal_{name}": fit[name] for name in names}


def _model_columns(barriers, censored_at, temperature, confidence, notes, **options) -> dict:
    """Parameters of the Gaussian fit and the main single barriers from it; the parallel
    barrier of the log-normal fit."""
    normal, lognormal = (_fitted_model(barriers, censored_at, temperature, shape, confidence, notes,
                                       **options) for shape in ("normal", "lognormal"))
    columns = {}
    for name, field in (("mean", "location"), ("sd", "scale")):
        columns.update(_estimate_columns(f"normal_{name}", normal, field, with_error=False))
    for field, short in SHORT_NAMES.items():
        columns.update(_estimate_columns(f"barrier_{short}", normal, field))
    columns.update(_estimate_columns("lognormal_barrier_para", lognormal, "parallel"))
    return columns


def _fitted_model(barriers, censored_at, temperature, shape, confidence, notes, **options):
    """model_single_barrier, or None (with a note where the fit fails) below MIN_OBSERVED."""
    if barriers.size < MIN_OBSERVED:
        return None
    try:
        return model_single_barrier(barriers, temperature, censored_at, shape, confidence,
                                    **options)
    except ValueError as error:
        notes.append(f"no {shape} single barriers: {error}")
        return None


def _estimate_columns(column, result, field, with_error=True) -> dict:
    """column (the estimate), column_error, column_low, column_high from ``result``'s
    field; NaN without a result."""
    value, (low, high) = (np.nan, (np.nan, np.nan)) if result is None else (
        getattr(result, field), getattr(result, f"{field}_interval"))
    columns = {column: value, f"{column}_low": low, f"{column}_high": high}
    if with_error:
        columns[f"{column}_error"] = np.nan if result is None else getattr(result, f"{field}_error")
    return columns


def _plugin_columns(barriers, temperature, notes) -> dict:
    """The paper's reductions of the crossed barriers themselves (Eqs. 4-6)."""
    if barriers.size < MIN_PLUGIN:
        notes.append(f"{barriers.size} crossed run(s): the plug-in single barriers need "
                     f"{MIN_PLUGIN}")
        return {f"plugin_barrier_{short}": np.nan for short in SHORT_NAMES.values()}
    result = single_barrier(barriers, temperature)
    return {f"plugin_barrier_{short}": getattr(result, name) for name, short in SHORT_NAMES.items()}


def _frequency(barrier: float, temperature: float, attempt_frequency: float) -> float:
    with np.errstate(over="ignore", under="ignore"):
        return float(transition_frequency(barrier, temperature, attempt_frequency))


def spectra_table(runs: pd.DataFrame, attempt_frequency: float, confidence: float = CONFIDENCE,
                  **model_options) -> pd.DataFrame:
    """spectra.csv: one row per temperature (see spectrum_row), with unit columns."""
    rows = [spectrum_row(temperature, group, attempt_frequency, confidence, **model_options)
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
    """activation.json: the fit of each reduction of REDUCTIONS (the model-based single
    barriers weighted by their parametric-bootstrap errors, the plain mean of the
    crossed runs by its standard error, the paper's plug-in values unweighted) and the
    paper's values."""
    no_errors = np.full(len(spectra), np.nan)
    reductions = {name: activation_fit(spectra["temperature"], spectra[column],
                                       no_errors if error is None else spectra[error],
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
                        **model_options) -> None:
    """Every table and figure of the metad_summary rule (``output``: its named outputs).

    ``art_summary``: the ART stage's summary.json, whose mean activation energy goes into
    activation.json and the Delta F(T) figure at 0 K (None: no ART point).
    ``model_options`` go to analysis.barriers.model_single_barrier (n_resamples, seed)."""
    runs = read_records(record_paths)
    barrier_table(runs, attempt_frequency).to_csv(output.barriers, index=False)
    spectra = spectra_table(runs, attempt_frequency, confidence, **model_options)
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
