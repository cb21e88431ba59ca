"""Figures of the intermediate-scattering stage (PNG and vector PDF, sized for a journal
column)."""

from __future__ import annotations

import numpy as np

from mgrelax.figures import COLUMN_WIDTH_IN, plt, temperature_colours


def intermediate_scattering_figure(curves, units):
    """F_s(q1, t) against log time, one colour per temperature, with the KWW fits.

    ``curves``: (fit record, lag, F_s) per run; fit records hold temperature and,
    where the fit succeeded, amplitude, tau and beta.
    """
    figure, axis = plt.subplots(figsize=(COLUMN_WIDTH_IN, 2.6))
    colours = temperature_colours(fit["temperature"] for fit, _, _ in curves)
    for fit, lag, fs in curves:
        colour = colours[fit["temperature"]]
        axis.plot(lag[1:], fs[1:], color=colour, lw=1.0,
                  label=f"{fit['temperature']:g} {units.temperature}")
        if np.isfinite(fit.get("tau", np.nan)):
            axis.plot(lag[1:], fit["amplitude"] * np.exp(-(lag[1:] / fit["tau"]) ** fit["beta"]),
                      "k--", lw=0.7)
    handles, labels = axis.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    axis.legend(unique.values(), unique.keys(), fontsize=6, frameon=False)
    axis.set_xscale("log")
    axis.set_xlabel(f"t ({units.time})", fontsize=8)
    axis.set_ylabel("$F_s(q_1, t)$", fontsize=8)
    axis.tick_params(labelsize=7)
    figure.tight_layout()
    return figure
