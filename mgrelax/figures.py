"""Figures of the glass stage (PNG and vector PDF, sized for a journal column)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

COLUMN_WIDTH_IN = 3.4


def unit_label(unit: str) -> str:
    """A unit name as typeset on an axis."""
    return unit.replace("Angstrom", "Å").replace("^3", "$^3$")


def save(figure, png: Path, pdf: Path) -> None:
    figure.savefig(png, dpi=300, bbox_inches="tight")
    figure.savefig(pdf, bbox_inches="tight")
    plt.close(figure)


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

