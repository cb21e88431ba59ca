"""Tables and figures of the DMS stage from the per-run records.

* ``moduli.csv``: every run (sample, temperature, mode, period, amplitude) with its
  fit and the IS D_min / D2min between its inherent structures (``is_dmin_converged``
  flags the pairs whose drift/assignment alternation stopped at its limit);
* ``spectra.csv``: means over samples with their errors (``<quantity>_error_kind``:
  standard error of the mean over the samples, or the fit error of a single sample)
  and the number of samples whose IS D_min did not converge;
* ``correspondence.csv``: M* against K* + 4/3 G* where all three modes ran;
* ``loss_spectrum_kww.csv``: KWW fit of the loss spectrum M''(t_w) per temperature;
* ``scaling_law.json``: delta = A (IS D_min / r0)^b over all temperatures and periods
  (Yu et al. Eq. 1), errors in both variables, with the points it could not fit
  under ``excluded``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.relaxation import check_storage, fit_kww_loss
from analysis.scaling import fit_power_law
from mgrelax.dms.figures import (amplitude_sweep_figure, maps_figure, scaling_law_figure,
                                 spectra_figure, temperature_figure)
from mgrelax.figures import save
from mgrelax.lammps_io import write_json
from mgrelax.plan import CORRESPONDENCE_MODES
from mgrelax.potentials import Model

STATE_COLUMNS = ["sample", "temperature", "mode", "period", "amplitude"]
FIT_QUANTITIES = ("storage_modulus", "loss_modulus", "loss_factor", "phase")
DISPLACEMENT_QUANTITIES = ("is_dmin", "is_dmin_over_r0", "r0", "d2min_mean")
MIN_PERIODS_FOR_KWW = 4
SCALING_MODE = "shear"
SCALING_VARIABLES = {"is_dmin_over_r0": "IS D_min / r0", "phase": "delta (rad)"}
MIN_SAMPLES_FOR_POINT_WEIGHTS = 10
"""Fewest samples behind every point for weighting each point by its own errors: a
standard error of the mean over n samples has n - 1 degrees of freedom, and weights
that noisy spoil the intervals (400 simulated fits of 12 points: the nominal 95 %
interval of b covers the truth in 77 % of them with 2 samples per point, 88 % with 4,
94 % with 10; with the errors pooled over the points, 93-96 % for all)."""

LOGGER = logging.getLogger(__name__)


def read_records(paths) -> pd.DataFrame:
    """JSON records of runs as a table, without their provenance."""
    records = [json.loads(Path(path).read_text()) for path in paths]
    return pd.DataFrame([{k: v for k, v in r.items() if k not in ("provenance", "drift")}
                         for r in records])


def sample_means(points: pd.DataFrame, by: list[str], quantities) -> pd.DataFrame:
    """Means over samples of ``quantities`` at each ``by`` group, with their errors.

    ``<quantity>_error`` is the standard error of the mean over the n >= 2 samples
    with a value, sd / sqrt(n) (sd with n - 1 degrees of freedom; the sample spread
    already contains the fits' scatter); with one sample, that sample's own fit error
    (column ``<quantity>_error`` of ``points``, NaN where there is none).
    ``<quantity>_error_kind`` says which. Where the runs have fit errors,
    ``<quantity>_fit_error`` is the error of the mean from them alone,
    sqrt(sum of the squared fit errors) / n.
    """
    grouped = points.groupby(by)
    table = grouped.size().rename("n_samples").to_frame()
    for quantity in quantities:
        values = grouped[quantity]
        n = values.count()
        has_fit_error = quantity + "_error" in points
        single = grouped[quantity + "_error"].first() if has_fit_error else np.nan
        table[quantity] = values.mean()
        if has_fit_error:
            table[quantity + "_fit_error"] = grouped[quantity + "_error"].agg(
                lambda errors: np.sqrt(np.sum(errors**2)) / errors.count())
        table[quantity + "_error"] = (values.std(ddof=1) / np.sqrt(n)).where(n > 1, single)
        table[quantity + "_error_kind"] = np.select(
            [n > 1, n == 1], ["sem over " + n.astype(str) + " samples",
                              "fit error, 1 sample" if has_fit_error else "none: 1 sample, no fit"],
            "no value")
    return table.reset_index()


def unconverged_is_dmin(points: pd.DataFrame) -> pd.Series:
    """True for the runs whose IS D_min drift/assignment alternation stopped before the
    relabelling repeated (or whose record predates the flag)."""
    converged = points.get("is_dmin_converged", pd.Series(False, index=points.index))
    return converged.ne(True)


def dms_spectra(points: pd.DataFrame) -> pd.DataFrame:
    """Sample means at each (mode, temperature, period), with the number of samples
    whose IS D_min did not converge (``is_dmin_unconverged_samples``, logged)."""
    by = ["mode", "temperature", "period"]
    unconverged = unconverged_is_dmin(points)
    if unconverged.any():
        LOGGER.warning("IS D_min: the drift/assignment alternation did not converge for %d of "
                       "%d runs (is_dmin_converged in moduli.csv): %s", unconverged.sum(),
                       len(points), "; ".join(
                           ", ".join(f"{c} {row[c]}" for c in STATE_COLUMNS)
                           for _, row in points[unconverged].iterrows()))
    counts = (points.assign(is_dmin_unconverged_samples=unconverged)
              .groupby(by, as_index=False)["is_dmin_unconverged_samples"].sum())
    return sample_means(points, by, FIT_QUANTITIES + DISPLACEMENT_QUANTITIES).merge(counts, on=by)


def correspondence(spectra: pd.DataFrame) -> pd.DataFrame:
    """M* = K* + 4/3 G* check at every (temperature, period) where all three modes ran:
    the mismatch M - (K + 4/3 G) of the storage and loss moduli, absolute and relative."""
    rows = []
    for (temperature, period), group in spectra.groupby(["temperature", "period"]):
        by_mode = group.set_index("mode")
        if not set(CORRESPONDENCE_MODES) <= set(by_mode.index):
            continue
        row = {"temperature": temperature, "period": period}
        for part in ("storage_modulus", "loss_modulus"):
            m, k, g = (by_mode.loc[mode, part] for mode in ("uniaxial", "isostatic", "shear"))
            errors = [by_mode.loc[mode, part + "_error"] for mode in ("uniaxial", "isostatic")]
            error = np.sqrt(errors[0] ** 2 + errors[1] ** 2
                            + (4 / 3 * by_mode.loc["shear", part + "_error"]) ** 2)
            row.update({f"{part}_longitudinal": m, f"{part}_k_plus_4g_3": k + 4 / 3 * g,
                        f"{part}_mismatch": m - (k + 4 / 3 * g), f"{part}_mismatch_error": error,
                        f"{part}_relative_mismatch": (m - (k + 4 / 3 * g)) / m})
        rows.append(row)
    return pd.DataFrame(rows, columns=["temperature", "period"] if not rows else None)


def loss_spectrum_fits(spectra: pd.DataFrame) -> pd.DataFrame:
    """KWW fit of M''(t_w) for each mode and temperature with enough periods, and its
    Kramers-Kronig check on the measured M'(t_w) (relaxed_modulus, chi_square,
    p_value: analysis.relaxation.check_storage) where M' has errors."""
    rows = []
    for (mode, temperature), group in spectra.groupby(["mode", "temperature"]):
        row = {"mode": mode, "temperature": temperature, "n_periods": len(group)}
        if len(group) < MIN_PERIODS_FOR_KWW:
            row["error"] = f"fewer than {MIN_PERIODS_FOR_KWW} periods"
        else:
            try:
                errors = group["loss_modulus_error"]
                fit = fit_kww_loss(group["period"], group["loss_modulus"],
                                   errors if (errors > 0).all() else None)
                row.update(_kww_columns(fit))
                if (group["storage_modulus_error"] > 0).all():
                    row.update(dataclasses.asdict(check_storage(
                        fit, group["period"], group["storage_modulus"],
                        group["storage_modulus_error"])))
                if not (fit.tau_error < fit.tau and fit.beta_error < fit.beta):
                    row["error"] = ("tau or beta not constrained (error above 100 %): the loss "
                                    "peak is not within the measured periods")
            except (RuntimeError, ValueError) as error:
                row["error"] = str(error)
        rows.append(row)
    return pd.DataFrame(rows)


def _kww_columns(fit) -> dict:
    values = dataclasses.asdict(fit)
    return {"strength": values["amplitude"], "strength_error": values["amplitude_error"],
            **{k: v for k, v in values.items() if not k.startswith("amplitude")}}


def scaling_law(spectra: pd.DataFrame, min_period: float = 0.0) -> dict:
    """delta = A (IS D_min / r0)^b over the shear state points (Yu et al. Eq. 1).

    Errors-in-variables fit on log axes (analysis.scaling.fit_power_law), weighted as
    scaling_errors says. Points a logarithm cannot take, and those of periods below
    ``min_period`` (dms.scaling_law.min_period: where atomic vibrations add to the loss),
    are listed under ``excluded`` with their state, values and reason, and counted in
    ``n_excluded``.
    """
    shear = spectra[spectra["mode"] == SCALING_MODE]
    reasons = pd.Series([_exclusion_reason(point, min_period) for _, point in shear.iterrows()],
                        index=shear.index, dtype=str)
    fitted = shear[reasons == ""]
    excluded = _excluded_points(shear[reasons != ""], reasons)
    record = {"mode": SCALING_MODE, "min_period": min_period, "n_points": len(fitted),
              "n_excluded": len(excluded), "excluded": excluded, "phase_unit": "rad",
              "law": "delta (rad) = A (IS D_min / r0)^b; A = prefactor, b = exponent"}
    if "is_dmin_unconverged_samples" in fitted:
        record["n_points_with_unconverged_is_dmin"] = int(
            fitted["is_dmin_unconverged_samples"].gt(0).sum())
    try:
        x_error, y_error, errors = scaling_errors(fitted)
        fit = fit_power_law(fitted["is_dmin_over_r0"], fitted["phase"], x_error=x_error,
                            y_error=y_error)
    except ValueError as error:
        return {**record, "error": str(error)}
    return {**record, "errors": errors, **dataclasses.asdict(fit)}


def _excluded_points(excluded: pd.DataFrame, reasons: pd.Series) -> list[dict]:
    """State, values and reason of each excluded point, also logged as a warning."""
    points = [{**{column: float(point[column])
                  for column in ("temperature", "period", *SCALING_VARIABLES)},
               "reason": reasons[index]} for index, point in excluded.iterrows()]
    if points:
        LOGGER.warning("scaling law: %d shear state point(s) excluded (listed in "
                       "scaling_law.json): %s", len(points), "; ".join(
                           f"T = {p['temperature']:g}, t_w = {p['period']:g}: {p['reason']}"
                           for p in points))
    return points


def scaling_errors(points: pd.DataFrame):
    """Errors of IS D_min / r0 and of delta for the scaling-law fit, and what they are.

    With MIN_SAMPLES_FOR_POINT_WEIGHTS samples or more behind every point, each point's
    standard errors of the mean; with fewer, each variable's errors pooled over the
    points (its rms relative error times each value), which sets the ratio of the x
    and y errors without weighting points by noisy SEMs, and delta's error raised to
    the fit error of its mean where that is larger (``phase_fit_error``: a liquid at
    long periods, whose stress response nears the stress noise, keeps its own larger
    error); with one sample, delta's fit errors and IS D_min taken as exact (it has no
    error estimate).
    """
    x, y = points["is_dmin_over_r0"], points["phase"]
    x_error, y_error = points["is_dmin_over_r0_error"], points["phase_error"]
    n_samples = int(points["n_samples"].min()) if len(points) else 0
    if n_samples == 1:
        return None, y_error, "delta: fit errors; IS D_min / r0: exact (1 sample, no error)"
    if n_samples < MIN_SAMPLES_FOR_POINT_WEIGHTS:
        pooled = (f"standard errors of the mean over {n_samples} samples, pooled over the "
                  f"points (rms relative error of each variable; fewer than "
                  f"{MIN_SAMPLES_FOR_POINT_WEIGHTS} samples per point)")
        if "phase_fit_error" not in points:
            return _pooled(x, x_error), _pooled(y, y_error), pooled
        return (_pooled(x, x_error), np.maximum(_pooled(y, y_error), points["phase_fit_error"]),
                pooled + "; delta's at least the fit error of its mean")
    return x_error, y_error, f"standard errors of the mean over >= {n_samples} samples per point"


def _pooled(values, errors):
    """Errors with the root-mean-square relative error of ``errors`` at every value."""
    return values * np.sqrt(np.mean((errors / values) ** 2))


def _exclusion_reason(point, min_period: float) -> str:
    """Why a state point does not enter the log-log fit ('' if it does)."""
    problems = []
    if point["period"] < min_period:
        problems.append(f"period below dms.scaling_law.min_period = {min_period:g}")
    for column, name in SCALING_VARIABLES.items():
        value = point[column]
        if not np.isfinite(value):
            problems.append(f"{name} is {value}")
        elif value <= 0:
            problems.append(f"{name} = {value:.4g} <= 0 has no logarithm")
    return "; ".join(problems)


def unit_columns(model: Model) -> dict:
    """The units of the DMS tables' columns, as columns of their own."""
    units = model.units
    return {"temperature_unit": units.temperature, "period_unit": units.time,
            "stress_unit": units.stress, "phase_unit": "rad", "length_unit": units.length}


def write_dms_summary(fit_files, displacement_files, outputs, model: Model,
                      min_period: float = 0.0) -> None:
    """Every table and figure of the DMS summary rule; ``min_period`` the shortest period
    of the scaling-law fit (dms.scaling_law.min_period)."""
    points = read_records(fit_files).merge(read_records(displacement_files), on=STATE_COLUMNS,
                                           suffixes=("", "_displacement"))
    points.to_csv(outputs.points, index=False)
    spectra = dms_spectra(points)
    columns = unit_columns(model)
    spectra.assign(**columns).to_csv(outputs.spectra, index=False)
    correspondence(spectra).assign(**columns).to_csv(outputs.correspondence, index=False)
    loss_spectrum_fits(spectra).assign(**columns).to_csv(outputs.loss_spectra, index=False)
    scaling = scaling_law(spectra, min_period)
    write_json(outputs.scaling_law, {**scaling, "temperature_unit": model.units.temperature})
    Path(outputs.spectra_figure).parent.mkdir(parents=True, exist_ok=True)
    units = model.units
    save(spectra_figure(spectra, units), outputs.spectra_figure, outputs.spectra_figure_pdf)
    save(maps_figure(spectra, units), outputs.maps_figure, outputs.maps_figure_pdf)
    save(temperature_figure(spectra, units), outputs.temperature_figure,
         outputs.temperature_figure_pdf)
    shear = spectra[spectra["mode"] == SCALING_MODE]
    save(scaling_law_figure(shear, scaling, units), outputs.scaling_figure,
         outputs.scaling_figure_pdf)


def write_amplitude_sweep(fit_files, outputs, model: Model) -> None:
    """Moduli against strain amplitude at one state point (linearity check)."""
    table = sample_means(read_records(fit_files), ["mode", "temperature", "period", "amplitude"],
                         FIT_QUANTITIES)
    table.assign(**unit_columns(model)).to_csv(outputs.table, index=False)
    save(amplitude_sweep_figure(table, model.units), outputs.figure, outputs.figure_pdf)
