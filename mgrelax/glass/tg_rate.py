"""Tg against cooling rate: the table of the glass stage's cooling-rate study
(workflow/rules/glass.smk, rule tg_cooling_rate; the fit is analysis.tg_rate, the figure
mgrelax.glass.figures.tg_rate_figure)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.tg_rate import CONFIDENCE, RateLine, fit_rate_line, mean_tg_per_rate
from mgrelax.figures import save
from mgrelax.glass.figures import tg_rate_figure
from mgrelax.glass.jobs import TG_QUANTITIES
from mgrelax.potentials import Model

LOGGER = logging.getLogger(__name__)

INTERVAL = (f"Student t {CONFIDENCE:.0%} confidence interval of the line Tg = a + b "
            "log10(cooling_rate) at cooling_rate (n_points - 2 degrees of freedom, covariance "
            "scaled by the reduced chi-square): where the mean Tg of many samples would lie, "
            "not a single sample's")
ERROR_KINDS = {
    "sample": "tg_uncertainty of the sample's glass_transition.json (fit windows and "
              "AR(1) bootstrap)",
    "rate_mean": "standard error of the mean over the samples, sd / sqrt(n_samples)",
    "extrapolated": "standard error of the line at cooling_rate",
}
COLUMNS = ["kind", "quantity", "cooling_rate", "log10_cooling_rate", "sample", "n_samples",
           "tg", "tg_error", "tg_error_kind", "tg_ci_low", "tg_ci_high", "interval",
           "slope_per_decade", "slope_error", "slope_unit", "n_points", "n_rates",
           "degrees_of_freedom", "reduced_chi_square", "weighted", "temperature_unit",
           "cooling_rate_unit", "note"]


def sample_tg(transition_files, cooling_rates, samples) -> pd.DataFrame:
    """Tg from V(T) and E(T) of every quench of the study, one row per quench and
    quantity (kind "sample"): its cooling rate, sample, Tg and tg_uncertainty as
    tg_error; where the kink fit failed, Tg is NaN and the note says why."""
    rows = []
    for path, rate, sample in zip(transition_files, cooling_rates, samples, strict=True):
        fits = json.loads(Path(path).read_text())["fits"]
        for quantity in TG_QUANTITIES:
            fit = fits[quantity]
            rows.append({"kind": "sample", "quantity": quantity, "cooling_rate": float(rate),
                         "sample": sample, "tg": fit.get("tg", np.nan),
                         "tg_error": fit.get("tg_uncertainty", np.nan),
                         "tg_error_kind": ERROR_KINDS["sample"], "note": fit.get("error", "")})
    return pd.DataFrame(rows)


def rate_lines(points: pd.DataFrame, extrapolate_to: float) -> dict[str, RateLine | str]:
    """Per quantity the line through the sample points that have a Tg, extrapolated to
    ``extrapolate_to``, or the reason there is none (fewer than 3 rates)."""
    lines = {}
    for quantity, group in _with_tg(points).groupby("quantity", sort=False):
        try:
            lines[quantity] = fit_rate_line(group["cooling_rate"], group["tg"],
                                            group["tg_error"], extrapolate_to)
        except ValueError as error:
            lines[quantity] = f"no line: {error}"
            LOGGER.warning("Tg(%s) against cooling rate: %s", quantity, lines[quantity])
    return lines


def tg_rate_table(points: pd.DataFrame, lines: dict, units) -> pd.DataFrame:
    """The study's table: the sample points, the mean Tg at each rate (kind "rate_mean")
    and the line's slope and extrapolated Tg with its interval (kind "extrapolated"),
    per quantity, with their units (``units``: mgrelax.units of the model)."""
    parts = []
    for quantity, group in points.groupby("quantity", sort=False):
        parts += [group.sort_values(["cooling_rate", "sample"]), _rate_means(quantity, group),
                  pd.DataFrame([_extrapolated_row(quantity, lines.get(quantity, ""),
                                                  _with_tg(group))])]
    table = pd.concat(parts, ignore_index=True)
    table = table.assign(log10_cooling_rate=np.log10(table["cooling_rate"]),
                         sample=table["sample"].astype("Int64"),
                         slope_unit=f"{units.temperature} per decade of cooling rate",
                         temperature_unit=units.temperature,
                         cooling_rate_unit=units.config_cooling_rate)
    return table.reindex(columns=COLUMNS)


def _with_tg(points: pd.DataFrame) -> pd.DataFrame:
    return points[points["tg"].notna()]


def _rate_means(quantity: str, points: pd.DataFrame) -> pd.DataFrame:
    """Mean Tg over samples at each rate of ``points``; a rate none of whose samples has
    a Tg gets a row with the note and no numbers."""
    with_tg = _with_tg(points)
    means = {mean.cooling_rate: mean
             for mean in mean_tg_per_rate(with_tg["cooling_rate"], with_tg["tg"])}
    rows = []
    for rate in sorted(points["cooling_rate"].unique()):
        mean = means.get(rate)
        row = {"kind": "rate_mean", "quantity": quantity, "cooling_rate": rate,
               "tg_error_kind": ERROR_KINDS["rate_mean"]}
        rows.append({**row, "n_samples": 0, "note": "no sample has a Tg at this rate"}
                    if mean is None else
                    {**row, "n_samples": mean.n_samples, "tg": mean.tg,
                     "tg_error": mean.tg_error, "note": ""})
    return pd.DataFrame(rows)


def _extrapolated_row(quantity: str, line: RateLine | str, points: pd.DataFrame) -> dict:
    row = {"kind": "extrapolated", "quantity": quantity, "n_points": len(points),
           "n_rates": points["cooling_rate"].nunique(), "interval": INTERVAL}
    if not isinstance(line, RateLine):
        return {**row, "note": line or "no line: no sample has a Tg"}
    return {**row, "cooling_rate": line.reference_rate, "tg": line.tg_reference,
            "tg_error": line.tg_reference_error, "tg_error_kind": ERROR_KINDS["extrapolated"],
            "tg_ci_low": line.tg_reference_low, "tg_ci_high": line.tg_reference_high,
            "slope_per_decade": line.slope, "slope_error": line.slope_error,
            "degrees_of_freedom": line.degrees_of_freedom,
            "reduced_chi_square": line.reduced_chi_square, "weighted": line.weighted,
            "note": ""}


def write_tg_rate_summary(transition_files, cooling_rates, samples, outputs, config: dict,
                          model: Model) -> None:
    """tg_cooling_rate.csv and its figure from the study's glass_transition.json files,
    listed with the rate and sample of each (see workflow/rules/glass.smk)."""
    points = sample_tg(transition_files, cooling_rates, samples)
    lines = rate_lines(points, config["glass_transition"]["extrapolate_to"])
    table = tg_rate_table(points, lines, model.units)
    table.to_csv(outputs.table, index=False)
    title = f"{model.name}, {config['n_atoms']} atoms, {config['samples']} sample(s)"
    Path(outputs.tg_rate_figure).parent.mkdir(parents=True, exist_ok=True)
    save(tg_rate_figure(table, lines, model.units, title), outputs.tg_rate_figure,
         outputs.tg_rate_figure_pdf)


