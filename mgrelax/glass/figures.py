"""Figures of the glass stage (PNG and vector PDF, sized for a journal column): V(T) and
E(T) with their Tg fits, g(r), and Tg against the cooling rate."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.tg_rate import CONFIDENCE, RateLine
from mgrelax.figures import COLUMN_WIDTH_IN, panel_note, plt, unit_label
from mgrelax.glass.jobs import QUANTITY_SYMBOLS, TG_QUANTITIES


def glass_transition_figure(curves: list[dict], fits: list[dict], tg: dict, units,
                            title: str):
    """V(T) and E(T) per atom of each sample's quench, with the two-line fits and Tg.

    ``curves``: per sample {"temperature", "volume", "potential_energy"} arrays (per atom);
    ``fits``: per sample {"volume": fit dict, "potential_energy": fit dict};
    ``tg``: {"volume": (value, uncertainty), "potential_energy": (value, uncertainty)}.
    """
    figure, axes = plt.subplots(2, 1, sharex=True, figsize=(COLUMN_WIDTH_IN, 4.6))
    labels = {"volume": f"V ({unit_label(units.volume)}/atom)",
              "potential_energy": f"E$_\\mathrm{{pot}}$ ({units.energy}/atom)"}
    for axis, quantity in zip(axes, ("volume", "potential_energy")):
        for index, (curve, fit) in enumerate(zip(curves, fits)):
            t = curve["temperature"]
            axis.plot(t, curve[quantity], ".", ms=1.5, color=f"C{index % 10}", alpha=0.5)
            _plot_branches(axis, t, fit[quantity])
        value, uncertainty = tg[quantity]
        if np.isfinite(value):
            axis.axvspan(value - uncertainty, value + uncertainty, color="0.85", zorder=0)
            axis.axvline(value, color="k", lw=0.8)
            label = f"$T_g$ = {value:.0f} $\\pm$ {uncertainty:.0f} {units.temperature}"
            axis.text(0.97, 0.06, label, transform=axis.transAxes, fontsize=8, ha="right",
                      va="bottom")
        axis.set_ylabel(labels[quantity], fontsize=8)
        axis.tick_params(labelsize=7)
    axes[-1].set_xlabel(f"thermostat target temperature ({units.temperature})", fontsize=8)
    axes[0].set_title(title, fontsize=7)
    figure.tight_layout()
    return figure


def _plot_branches(axis, temperature, fit: dict) -> None:
    if "error" in fit:
        return
    t = np.linspace(temperature.min(), temperature.max(), 50)
    for slope, intercept in ((fit["slope_glass"], fit["intercept_glass"]),
                             (fit["slope_liquid"], fit["intercept_liquid"])):
        axis.plot(t, slope * t + intercept, "--", color="k", lw=0.6)


def pair_distribution_figure(r: np.ndarray, curves: dict, units, title: str):
    """g(r) per pair (panels) and temperature (lines): ``curves[pair][temperature] = g``."""
    pairs = list(curves)
    figure, axes = plt.subplots(len(pairs), 1, sharex=True,
                                figsize=(COLUMN_WIDTH_IN, 1.5 * len(pairs) + 0.6))
    axes = np.atleast_1d(axes)
    for axis, pair in zip(axes, pairs):
        for index, (temperature, g) in enumerate(sorted(curves[pair].items())):
            axis.plot(r, g, lw=0.8, color=plt.cm.coolwarm(index / max(1, len(curves[pair]) - 1)),
                      label=f"{temperature:g} {units.temperature}")
        axis.set_ylabel(f"g(r) {pair}", fontsize=8)
        axis.tick_params(labelsize=7)
    axes[0].legend(fontsize=6, frameon=False)
    axes[0].set_title(title, fontsize=7)
    axes[-1].set_xlabel(f"r ({unit_label(units.length)})", fontsize=8)
    figure.tight_layout()
    return figure


def tg_rate_figure(table: pd.DataFrame, lines: dict, units, title: str):
    """Tg from V(T) and E(T) (panels) against log10 of the cooling rate: each sample, the
    mean at each rate with its standard error, the line with its confidence band and
    the extrapolated Tg with its interval. Each panel's numbers are in its title and the
    legend below the panels, clear of the data."""
    figure, axes = plt.subplots(2, 1, sharex=True, figsize=(COLUMN_WIDTH_IN, 5.2),
                                layout="constrained")
    for axis, quantity in zip(axes, TG_QUANTITIES):
        rows = table[table["quantity"] == quantity]
        _plot_points(axis, rows)
        line = lines.get(quantity, "no line: no sample has a Tg")
        if isinstance(line, RateLine):
            _plot_line(axis, line, rows, units)
        panel_note(axis, *_panel_notes(quantity, line, units), width=75)
        axis.set_ylabel(f"$T_g$ from {QUANTITY_SYMBOLS[quantity]}(T) ({units.temperature})",
                        fontsize=8)
        axis.tick_params(labelsize=7)
    axes[-1].set_xlabel(f"log$_{{10}}$ cooling rate ({units.config_cooling_rate})", fontsize=8)
    legend = {}
    for axis in axes:
        legend.update(zip(*axis.get_legend_handles_labels()[::-1]))
    figure.legend(legend.values(), legend.keys(), loc="outside lower center", ncol=2,
                  fontsize=6, frameon=False)
    figure.suptitle(title, fontsize=7)
    return figure


def _plot_points(axis, rows: pd.DataFrame) -> None:
    samples = rows[(rows["kind"] == "sample") & rows["tg"].notna()]
    axis.scatter(samples["log10_cooling_rate"], samples["tg"], s=6, color="0.55", zorder=3,
                 label="one sample")
    means = rows[(rows["kind"] == "rate_mean") & rows["tg"].notna()]
    axis.errorbar(means["log10_cooling_rate"], means["tg"], yerr=means["tg_error"], fmt="o",
                  ms=4, mfc="none", mew=0.8, color="C0", capsize=2, lw=0.8, zorder=4,
                  label="mean over samples ± standard error")


def _plot_line(axis, line: RateLine, rows: pd.DataFrame, units) -> None:
    x_reference = np.log10(line.reference_rate)
    x_data = rows.loc[rows["kind"] == "sample", "log10_cooling_rate"]
    x = np.linspace(min(x_reference, x_data.min()) - 0.2, max(x_reference, x_data.max()) + 0.2,
                    60)
    tg, half_width = line.tg_at(10.0**x)
    axis.plot(x, tg, color="C3", lw=0.8, label="Tg = a + b log10 q")
    axis.fill_between(x, tg - half_width, tg + half_width, color="C3", alpha=0.15, lw=0,
                      label=f"{CONFIDENCE:.0%} confidence band of the line")
    axis.errorbar([x_reference], [line.tg_reference],
                  yerr=[[line.tg_reference - line.tg_reference_low],
                        [line.tg_reference_high - line.tg_reference]],
                  fmt="D", ms=4, color="C3", capsize=2, lw=0.8, zorder=4,
                  label=f"extrapolated to {line.reference_rate:g} {units.config_cooling_rate}, "
                        f"{CONFIDENCE:.0%} interval")


def _panel_notes(quantity: str, line: RateLine | str, units) -> list[str]:
    """The lines of a panel's note: the fitted line and the extrapolated Tg, or why
    there is no line."""
    symbol, unit = QUANTITY_SYMBOLS[quantity], units.temperature
    if not isinstance(line, RateLine):
        return [f"{symbol}(T): {line}"]
    fit = ("unweighted" if not line.weighted
           else f"weighted, χ²/dof = {line.reduced_chi_square:.2g}")
    return [f"{symbol}(T): b = {line.slope:.3g} ± {line.slope_error:.2g} {unit} per "
            f"decade; {line.n_points} points, {line.n_rates} rates, {fit}",
            f"$T_g$({line.reference_rate:g} {units.config_cooling_rate}) = "
            f"{line.tg_reference:.0f} {unit}, {CONFIDENCE:.0%} interval "
            f"[{line.tg_reference_low:.0f}, {line.tg_reference_high:.0f}] {unit}"]
