"""Tables and figures of the DMS stage from the per-run records.

* ``moduli.csv``: every run (sample, temperature, mode, period, amplitude) with its
  fit and the IS D_min / D2min between its inherent structures;
* ``spectra.csv``: means over samples with uncertainties;
* ``correspondence.csv``: M* against K* + 4/3 G* where all three modes ran;
* ``loss_spectrum_kww.csv``: KWW fit of the loss spectrum M''(t_w) per temperature;
* ``scaling_law.json``: delta = A (IS D_min / r0)^b over all temperatures and periods
  (Yu et al. Eq. 1).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.relaxation import fit_kww_loss
from analysis.scaling import fit_power_law
from mgrelax.dms_figures import (amplitude_sweep_figure, maps_figure, scaling_law_figure,
                                 spectra_figure, temperature_figure)
from mgrelax.figures import save
from mgrelax.lammps_io import write_json
from mgrelax.potentials import Model

STATE_COLUMNS = ["sample", "temperature", "mode", "period", "amplitude"]
FIT_QUANTITIES = ("storage_modulus", "loss_modulus", "loss_factor", "phase")
DISPLACEMENT_QUANTITIES = ("is_dmin", "is_dmin_over_r0", "r0", "d2min_mean")
MIN_PERIODS_FOR_KWW = 4
SCALING_MODE = "shear"


def read_records(paths) -> pd.DataFrame:
    """JSON records of runs as a table, without their provenance."""
    records = [json.loads(Path(path).read_text()) for path in paths]
    return pd.DataFrame([{k: v for k, v in r.items() if k not in ("provenance", "drift")}
                         for r in records])


def sample_means(points: pd.DataFrame, by: list[str], quantities) -> pd.DataFrame:
    """Means over samples of ``quantities`` at each ``by`` group.

    The uncertainty combines the sample spread and, where a column
    ``<quantity>_error`` exists, the fits' own errors (root mean square over
    samples): sqrt(spread^2 + rms^2) / sqrt(n).
    """
    rows = []
    for key, group in points.groupby(by):
        n = len(group)
        row = {**dict(zip(by, key)), "n_samples": n}
        for quantity in quantities:
            values = group[quantity]
            spread = values.std(ddof=1) if n > 1 else 0.0
            fit_error = (np.sqrt(np.mean(group[quantity + "_error"] ** 2))
                         if quantity + "_error" in group else 0.0)
            row[quantity] = values.mean()
            row[quantity + "_error"] = float(np.hypot(spread, fit_error) / np.sqrt(n))
        rows.append(row)
    return pd.DataFrame(rows)


def correspondence(spectra: pd.DataFrame) -> pd.DataFrame:
    """M* = K* + 4/3 G* check at every (temperature, period) where all three modes ran:
    the mismatch M - (K + 4/3 G) of the storage and loss moduli, absolute and relative."""
    rows = []
    for (temperature, period), group in spectra.groupby(["temperature", "period"]):
        by_mode = group.set_index("mode")
        if not {"shear", "uniaxial", "isostatic"} <= set(by_mode.index):
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
    """KWW fit of M''(t_w) for each mode and temperature with enough periods."""
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


def scaling_law(spectra: pd.DataFrame) -> dict:
    """delta = A (IS D_min / r0)^b over the shear state points with D_min > 0."""
    shear = spectra[(spectra["mode"] == SCALING_MODE) & (spectra["is_dmin_over_r0"] > 0)
                    & (spectra["phase"] > 0)]
    record = {"mode": SCALING_MODE, "n_points": len(shear), "phase_unit": "rad",
              "law": "delta (rad) = A (IS D_min / r0)^b; A = prefactor, b = exponent"}
    try:
        fit = fit_power_law(shear["is_dmin_over_r0"], shear["phase"])
    except ValueError as error:
        return {**record, "error": str(error)}
    return {**record, **dataclasses.asdict(fit)}


def unit_columns(model: Model) -> dict:
    """The units of the DMS tables' columns, as columns of their own."""
    units = model.units
    return {"temperature_unit": units.temperature, "period_unit": units.time,
            "stress_unit": units.stress, "phase_unit": "rad", "length_unit": units.length}


def write_dms_summary(fit_files, displacement_files, outputs, model: Model) -> None:
    """Every table and figure of the DMS summary rule."""
    points = read_records(fit_files).merge(read_records(displacement_files), on=STATE_COLUMNS,
                                           suffixes=("", "_displacement"))
    points.to_csv(outputs.points, index=False)
    spectra = sample_means(points, ["mode", "temperature", "period"],
                           FIT_QUANTITIES + DISPLACEMENT_QUANTITIES)
    columns = unit_columns(model)
    spectra.assign(**columns).to_csv(outputs.spectra, index=False)
    correspondence(spectra).assign(**columns).to_csv(outputs.correspondence, index=False)
    loss_spectrum_fits(spectra).assign(**columns).to_csv(outputs.loss_spectra, index=False)
    scaling = scaling_law(spectra)
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
