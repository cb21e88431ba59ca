"""Figures of the DMS stage (PNG and vector PDF, sized for a journal column).

After Fusco Figs. 9 and 17 and Yu et al. Figs. 2-4. ``spectra`` is the table of
mgrelax.dms.summary.dms_spectra: one row per (mode, temperature, period), sample means with
``<quantity>_error`` columns.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from matplotlib.ticker import NullFormatter

from mgrelax.dms.jobs import read_dms_series
from mgrelax.figures import COLUMN_WIDTH_IN, plt, save, temperature_colours, unit_label
from mgrelax.lammps_io import read_dump_column, read_dump_frame

MODE_MARKERS = {"shear": "o", "uniaxial": "s", "isostatic": "^"}
MODULUS_SYMBOLS = {"shear": "G", "uniaxial": "M", "isostatic": "K"}


def _panels(units, with_dmin: bool = True):
    """(column, axis label) of the panels of the spectra figures."""
    panels = [("storage_modulus", f"M' ({unit_label(units.stress)})"),
              ("loss_modulus", f"M'' ({unit_label(units.stress)})"),
              ("phase", "$\\delta$ (rad)")]
    if with_dmin:
        panels.append(("is_dmin", f"IS $D_{{min}}$ ({unit_label(units.length)})"))
    return panels


def _curves(table, by: list[str], x: str):
    """Groups of ``table`` by ``by`` with more than one value of ``x``, sorted by it
    (single state points, e.g. the correspondence modes, are in the tables only)."""
    for key, group in table.groupby(by):
        if group[x].nunique() > 1:
            yield key, group.sort_values(x)


def _log_axis_errors(values, errors):
    """Error bars for a log axis: the lower bar stops short of zero."""
    values, errors = np.asarray(values, float), np.asarray(errors, float)
    return np.vstack([np.minimum(errors, 0.9 * values), errors])


def spectra_figure(spectra, units):
    """M', M'', delta and IS D_min against the period t_w (Yu et al. Fig. 2): one
    colour per temperature, one marker per loading mode with several periods."""
    panels = _panels(units)
    figure, axes = plt.subplots(len(panels), 1, sharex=True, figsize=(COLUMN_WIDTH_IN, 6.4))
    colours = temperature_colours(spectra["temperature"])
    for axis, (quantity, label) in zip(axes, panels):
        for (mode, temperature), group in _curves(spectra, ["mode", "temperature"], "period"):
            axis.errorbar(group["period"], group[quantity], yerr=group[quantity + "_error"],
                          marker=MODE_MARKERS[mode], ms=3, lw=0.8, capsize=2,
                          color=colours[temperature],
                          label=f"{temperature:g} {units.temperature}, {mode}")
        axis.set_xscale("log")
        axis.set_ylabel(label, fontsize=8)
        axis.tick_params(labelsize=7)
    axes[0].legend(fontsize=6, frameon=False)
    axes[-1].set_xlabel(f"period $t_w$ ({units.time})", fontsize=8)
    figure.tight_layout()
    return figure


def maps_figure(spectra, units):
    """G', G'', delta and IS D_min over temperature and log10 t_w (Yu et al. Fig. 3),
    one cell per state point of shear (else the first loading mode)."""
    modes = list(spectra["mode"].unique())
    mode = "shear" if "shear" in modes else modes[0]
    table = spectra[spectra["mode"] == mode]
    panels = _panels(units)
    figure, axes = plt.subplots(2, 2, figsize=(2 * COLUMN_WIDTH_IN, 4.8))
    log_period = np.log10(np.sort(table["period"].unique()))
    temperatures = np.sort(table["temperature"].unique())
    for axis, (quantity, label) in zip(axes.flat, panels):
        grid = table.pivot(index="temperature", columns="period", values=quantity)
        cells = axis.pcolormesh(log_period, temperatures, grid.to_numpy(), shading="nearest",
                                cmap="viridis")
        colour_bar = figure.colorbar(cells, ax=axis)
        colour_bar.set_label(label, fontsize=8)
        colour_bar.ax.tick_params(labelsize=7)
        axis.set_xlabel(f"log$_{{10}}$ $t_w$ ({units.time})", fontsize=8)
        axis.set_ylabel(f"T ({units.temperature})", fontsize=8)
        axis.tick_params(labelsize=7)
    figure.suptitle(f"{mode}", fontsize=8)
    figure.tight_layout()
    return figure


def temperature_figure(spectra, units):
    """M', M'' and tan(delta) against temperature at each frequency 1/t_w (Fusco Fig. 17)."""
    panels = _panels(units, with_dmin=False)[:2] + [("loss_factor", "tan $\\delta$")]
    figure, axes = plt.subplots(len(panels), 1, sharex=True, figsize=(COLUMN_WIDTH_IN, 5.2))
    periods = sorted(spectra["period"].unique())
    for axis, (quantity, label) in zip(axes, panels):
        for (mode, period), group in _curves(spectra, ["mode", "period"], "temperature"):
            colour = plt.cm.viridis(periods.index(period) / max(1, len(periods) - 1))
            axis.errorbar(group["temperature"], group[quantity],
                          yerr=group[quantity + "_error"], marker=MODE_MARKERS[mode], ms=3,
                          lw=0.8, capsize=2, color=colour,
                          label=f"f = {1 / period:.3g} {units.time}$^{{-1}}$, {mode}")
        axis.set_ylabel(label, fontsize=8)
        axis.tick_params(labelsize=7)
    axes[0].legend(fontsize=6, frameon=False)
    axes[-1].set_xlabel(f"T ({units.temperature})", fontsize=8)
    figure.tight_layout()
    return figure


def scaling_law_figure(spectra, fit: dict, units):
    """delta against IS D_min / r0 on log axes, coloured by temperature, with the
    fitted power law delta = A (IS D_min / r0)^b (Yu et al. Fig. 4); the periods below
    the fit's min_period drawn open (not fitted); the points excluded in ``fit`` (those
    and the ones a log axis cannot show) counted in the title."""
    figure, axis = plt.subplots(figsize=(COLUMN_WIDTH_IN, 2.8))
    colours = temperature_colours(spectra["temperature"])
    spectra = spectra[(spectra["phase"] > 0) & (spectra["is_dmin_over_r0"] > 0)]
    if fit.get("n_excluded"):
        axis.set_title(f"{fit['n_excluded']} point(s) excluded (see scaling_law.json)",
                       fontsize=7)
    min_period = fit.get("min_period", 0.0)
    for temperature, group in spectra.groupby("temperature"):
        colour = colours[temperature]
        for left_out, points in group.groupby(group["period"] < min_period):
            axis.errorbar(points["is_dmin_over_r0"], points["phase"],
                          xerr=_log_axis_errors(points["is_dmin_over_r0"],
                                                points["is_dmin_over_r0_error"]),
                          yerr=_log_axis_errors(points["phase"], points["phase_error"]),
                          ls="none", marker="o", ms=4 if left_out else 3, mew=0.7,
                          capsize=2, color=colour, mfc="white" if left_out else colour,
                          label=None if left_out else f"{temperature:g} {units.temperature}")
    if (spectra["period"] < min_period).any():
        axis.plot([], [], "o", mfc="white", mew=0.7, color="grey", ms=4,
                  label=f"open: t_w < {min_period:g} {units.time}, not fitted")
    if "exponent" in fit:
        x = np.geomspace(spectra["is_dmin_over_r0"].min(), spectra["is_dmin_over_r0"].max())
        axis.plot(x, fit["prefactor"] * x ** fit["exponent"], "k-", lw=1.0,
                  label=f"b = {fit['exponent']:.2f} ± {fit['exponent_error']:.2f}")
    axis.set_xscale("log")
    axis.set_yscale("log")
    for log_axis in (axis.xaxis, axis.yaxis):
        log_axis.set_minor_formatter(NullFormatter())
    axis.set_xlabel("IS $D_{min}$ / $r_0$", fontsize=8)
    axis.set_ylabel("$\\delta$ (rad)", fontsize=8)
    axis.tick_params(which="both", labelsize=7)
    axis.legend(fontsize=6, frameon=False)
    figure.tight_layout()
    return figure


def amplitude_sweep_figure(table, units):
    """M' and M'' against the strain amplitude at one state point (linear response:
    flat within the error bars)."""
    figure, axis = plt.subplots(figsize=(COLUMN_WIDTH_IN, 2.6))
    for quantity, label in _panels(units, with_dmin=False)[:2]:
        axis.errorbar(table["amplitude"] * 100, table[quantity], yerr=table[quantity + "_error"],
                      marker="o", ms=3, capsize=2, label=label)
    axis.set_xlabel("strain amplitude (%)", fontsize=8)
    axis.set_ylabel(f"modulus ({unit_label(units.stress)})", fontsize=8)
    axis.tick_params(labelsize=7)
    axis.legend(fontsize=6, frameon=False)
    figure.tight_layout()
    return figure


def cycle_figure(series, fit, period: float, units, title: str):
    """Strain and stress over the last recorded cycle, with the fitted stress
    sigma0 + sigmaA sin(2 pi t / t_w + delta) (Fusco Fig. 9)."""
    figure, strain_axis = plt.subplots(figsize=(COLUMN_WIDTH_IN, 2.4))
    _draw_cycle(strain_axis, series, fit, period, units, title)
    figure.tight_layout()
    return figure


def loading_modes_figure(runs: list[tuple], units):
    """The last cycle of one state point in each loading mode, one panel per mode
    (``runs``: (series, fit) pairs), as :func:`cycle_figure` draws it (Fusco Fig. 9)."""
    figure, axes = plt.subplots(len(runs), 1, figsize=(COLUMN_WIDTH_IN, 2.0 * len(runs)),
                                squeeze=False)
    for axis, (series, fit) in zip(axes[:, 0], runs):
        _draw_cycle(axis, series, fit, fit["period"], units, _cycle_title(fit, units))
    figure.tight_layout()
    return figure


def _draw_cycle(strain_axis, series, fit, period: float, units, title: str) -> None:
    """Strain (left axis, %) and stress with its fit (right axis) over the last cycle."""
    time = series["time"].to_numpy()
    last = time >= time[-1] - period
    cycle_time = (time[last] - time[last][0]) / period
    fitted = fit["stress_offset"] + fit["stress_amplitude"] * np.sin(
        2.0 * np.pi * time[last] / period + fit["phase"])
    stress_axis = strain_axis.twinx()
    strain_axis.plot(cycle_time, series["strain"].to_numpy()[last] * 100, color="tab:blue",
                     lw=1.0, label="strain")
    stress_axis.plot(cycle_time, series["stress"].to_numpy()[last], ".", ms=2,
                     color="tab:red", label="stress")
    stress_axis.plot(cycle_time, fitted, color="black", lw=1.0, label="fit")
    strain_axis.set_xlabel("t / $t_w$ (last cycle)", fontsize=8)
    strain_axis.set_ylabel("strain (%)", color="tab:blue", fontsize=8)
    stress_axis.set_ylabel(f"stress ({unit_label(units.stress)})", color="tab:red", fontsize=8)
    strain_axis.set_title(f"{title}: $\\delta$ = {fit['phase']:.3f} ± {fit['phase_error']:.3f} rad",
                          fontsize=8)
    for axis in (strain_axis, stress_axis):
        axis.tick_params(labelsize=7)
    stress_axis.legend(fontsize=6, frameon=False, loc="lower left")


def nonaffine_slice_figure(configuration, d2min: np.ndarray, thickness: float, units,
                           title: str):
    """Map of log10 D2min of the atoms in a slab of ``thickness`` (length) through the
    middle of the box, normal to z, at their x-y positions."""
    h = configuration.box
    s = np.mod((configuration.positions - configuration.origin) @ np.linalg.inv(h).T, 1.0)
    in_slab = np.abs(s[:, 2] - 0.5) * h[2, 2] < 0.5 * thickness
    xy = s[in_slab] @ h.T
    figure, axis = plt.subplots(figsize=(COLUMN_WIDTH_IN, COLUMN_WIDTH_IN * 0.9))
    values = np.log10(np.maximum(d2min[in_slab], 1e-6))
    points = axis.scatter(xy[:, 0], xy[:, 1], c=values, s=12, cmap="viridis")
    colour_bar = figure.colorbar(points, ax=axis)
    colour_bar.set_label(f"log$_{{10}}$ $D^2_{{min}}$ ({unit_label(units.length)}$^2$)",
                         fontsize=8)
    colour_bar.ax.tick_params(labelsize=7)
    axis.set_aspect("equal")
    axis.set_xlabel(f"x ({unit_label(units.length)})", fontsize=8)
    axis.set_ylabel(f"y ({unit_label(units.length)})", fontsize=8)
    axis.set_title(f"{title}, slab {thickness:.3g} {unit_label(units.length)} thick", fontsize=8)
    axis.tick_params(labelsize=7)
    figure.tight_layout()
    return figure


def cycle_plot(series_path: Path, fit: dict, model, png, pdf) -> None:
    """Figure of the last cycle of one run (its series.dat) with its fit (fit.json)."""
    save(cycle_figure(read_dms_series(series_path), fit, fit["period"], model.units,
                      _cycle_title(fit, model.units)), png, pdf)


def _cycle_title(fit: dict, units) -> str:
    return (f"{fit['mode']}, {fit['temperature']:g} {units.temperature}, "
            f"$t_w$ = {fit['period']:g} {units.time}")


def nonaffine_slice_plot(d2min_dump: Path, record: dict, model, png, pdf) -> None:
    """Slice map (:func:`nonaffine_slice_figure`) of the D2min dump of one DMS run, its
    slab as thick as the D2min cutoff of its record (displacement.json)."""
    title = (f"{record['temperature']:g} {model.units.temperature}, "
             f"$t_w$ = {record['period']:g} {model.units.time}")
    figure = nonaffine_slice_figure(read_dump_frame(d2min_dump),
                                    read_dump_column(d2min_dump, "d2min"),
                                    record["d2min_cutoff"], model.units, title)
    save(figure, png, pdf)


def loading_modes_plot(series_paths: list, fit_paths: list, model, png, pdf) -> None:
    """:func:`loading_modes_figure` of the runs with these series.dat and fit.json files."""
    runs = [(read_dms_series(series), json.loads(Path(fit).read_text()))
            for series, fit in zip(series_paths, fit_paths)]
    save(loading_modes_figure(runs, model.units), png, pdf)
