"""Figures of the ART stage: the activation-energy spectrum of the spectrum level
(Yang et al. 2020, Fig. 4b), with the other levels beside it, and the check of its barriers against climbing-image NEB."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import lognorm

from mgrelax.art.engine import LEVEL_STATUSES, LEVELS
from mgrelax.figures import COLUMN_WIDTH_IN, save


def outcome_text(summary: dict) -> str:
    """Searches, each level's count and fraction with its interval, the unique events of
    the spectrum level, and the count of each other outcome."""
    lines = [f"{summary['searches']} searches"]
    for level, record in summary["levels"].items():
        low, high = (100 * bound for bound in record["interval"])
        lines.append(f"{level}: {record['successes']} ({100 * record['rate']:.0f} %; "
                     f"{100 * record['confidence']:.0f} % interval {low:.0f}-{high:.0f} %)")
    lines.append(f"unique {summary['spectrum_level']}: {summary['unique']}")
    lines += [f"{status}: {count}" for status, count in sorted(summary["statuses"].items(),
                                                               key=lambda item: -item[1])
              if status not in LEVEL_STATUSES["metabasin"]]
    return "\n".join(lines)


def spectrum_figure(spectra: dict[str, np.ndarray], summary: dict):
    """Histogram of the unique activation energies (eV) of the spectrum level
    (summary["spectrum_level"]) with the log-normal fit scaled to counts, the mean and
    its confidence interval (band), the other levels' histograms as outlines on the same
    bins, the paper's mean (dotted), and the outcome of every search (``summary``:
    summary.json) below the axes, clear of the data and the legend. ``spectra``: {level:
    unique activation energies}."""
    figure, axis = plt.subplots(figsize=(COLUMN_WIDTH_IN, 3.4))
    level = summary["spectrum_level"]
    every_level = np.concatenate(list(spectra.values()))
    if len(every_level):
        edges = np.histogram_bin_edges(every_level, bins="auto")
        level_histograms(axis, spectra, level, edges)
        if len(spectra[level]):
            mean_and_fit(axis, len(spectra[level]), edges, summary["activation_energy"])
        axis.set_ylim(0, 1.8 * axis.get_ylim()[1])  # room for the legend
    else:
        axis.set_xlim(0, 2 * summary["paper"]["mean_activation_energy"])
    if not len(spectra[level]):
        axis.text(0.5, 0.3, f"no {level} event", transform=axis.transAxes, ha="center")
    paper = summary["paper"]
    axis.axvline(paper["mean_activation_energy"], color="k", ls=":", lw=0.8,
                 label=f"paper mean {paper['mean_activation_energy']} eV")
    figure.text(0.02, 0.01, outcome_text(summary), ha="left", va="bottom", fontsize=5)
    axis.legend(fontsize=5, loc="upper right", framealpha=1.0, edgecolor="none")
    axis.set_title(f"spectrum of the {level} events", fontsize=7)
    axis.set_xlabel("activation energy $\\Delta E$ (eV)", fontsize=8)
    axis.set_ylabel("count", fontsize=8)
    axis.tick_params(labelsize=7)
    figure.tight_layout(rect=(0, 0.2, 1, 1))  # the outcomes below
    return figure


def level_histograms(axis, spectra: dict[str, np.ndarray], level: str, edges) -> None:
    """The spectrum level's histogram (bars) and the other levels' (outlines) on ``edges``."""
    axis.hist(spectra[level], bins=edges, color="C0", alpha=0.7, label=f"{level} (spectrum)")
    for style, other in zip(("-.", "--"), (name for name in spectra if name != level)):
        counts = np.histogram(spectra[other], bins=edges)[0]
        axis.step(edges, np.append(counts, counts[-1]), where="post", color="0.3", ls=style,
                  lw=0.8, label=other)


def mean_and_fit(axis, count: int, edges, spectrum: dict) -> None:
    """The log-normal fit scaled to ``count`` events on ``edges``, the mean and its
    interval (``spectrum``: summary.json's activation_energy, eV)."""
    fit = spectrum["lognormal"]
    if fit is not None:
        x = np.linspace(max(edges[0], 1e-6), edges[-1], 200)
        axis.plot(x, count * np.diff(edges).mean()
                  * lognorm.pdf(x, fit["log_sd"], scale=fit["median"]), "k", lw=0.8,
                  label="log-normal fit")
    axis.axvline(spectrum["mean"], color="C3", lw=1.0, label=f"mean {spectrum['mean']:.3f} eV")
    low, high = spectrum["mean_interval"]
    if low is not None:
        axis.axvspan(low, high, color="C3", alpha=0.2, lw=0,
                     label=f"{100 * spectrum['confidence']:.0f} % interval")


def neb_figure(table):
    """ART barrier against NEB barrier (eV) of each checked event (neb.csv) with their
    difference NEB - ART (meV), the line of equality; filled where the NEB converged and
    the two agree."""
    figure, axis = plt.subplots(figsize=(COLUMN_WIDTH_IN, COLUMN_WIDTH_IN))
    checked = table[np.isfinite(table["neb_barrier"].to_numpy(float))]
    if len(checked):
        span = np.concatenate([checked["art_barrier"], checked["neb_barrier"]])
        line = [span.min() - 0.05, span.max() + 0.05]
        axis.plot(line, line, color="0.5", lw=0.6)
        for agrees, marker_face, label in ((True, "C0", "agree (NEB converged, within 5 meV)"),
                                           (False, "none", "differ or NEB not converged")):
            chosen = checked[checked["agrees"] == agrees]
            axis.plot(chosen["neb_barrier"], chosen["art_barrier"], "o", mec="C0",
                      mfc=marker_face, ms=5, ls="none", label=f"{label}: {len(chosen)}")
        for _, row in checked.iterrows():
            axis.annotate(f"{row['difference']:+.1f} meV", (row["neb_barrier"], row["art_barrier"]),
                          textcoords="offset points", xytext=(4, -8), fontsize=5)
        axis.legend(fontsize=6, frameon=False, loc="upper left")
    failed = len(table) - len(checked)
    if failed or not len(table):
        axis.text(0.97, 0.03, f"{failed} NEB run(s) failed" if len(table) else
                  "no verified event to check", transform=axis.transAxes, ha="right",
                  fontsize=7)
    axis.set_xlabel("NEB barrier (eV)", fontsize=8)
    axis.set_ylabel("ART barrier (eV)", fontsize=8)
    axis.tick_params(labelsize=7)
    figure.tight_layout()
    return figure


def spectrum_plot(table: Path, summary: Path, png, pdf) -> None:
    """:func:`spectrum_figure` of the unique events of each level in events.csv with
    summary.json."""
    rows = pd.read_csv(table)
    spectra = {level: rows.loc[rows[f"unique_{level}"], "activation_energy"].to_numpy()
               for level in LEVELS}
    save(spectrum_figure(spectra, json.loads(Path(summary).read_text())), png, pdf)
