"""Figures of the metadynamics stage (Yang et al. 2020, Figs. 1-5)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import lognorm

from analysis.barriers import BOLTZMANN
from mgrelax.figures import COLUMN_WIDTH_IN, panel_note, temperature_colours


def run_figure(trajectory, grid, free_energy, record: dict):
    """One run (Fig. 1): (a) the RMSD against time, (b) F(RMSD) with the initial
    minimum and the saddle marked, or the reason there is no barrier."""
    figure, (cv_axis, profile_axis) = plt.subplots(2, 1, figsize=(COLUMN_WIDTH_IN, 4.8))
    cv_axis.plot(trajectory["time"], trajectory["rmsd"], lw=0.6, color="C0")
    cv_axis.set_xlabel(f"t ({record['time_unit']})")
    cv_axis.set_ylabel("RMSD (Å)")
    cv_axis.set_title(f"{record['temperature']:g} K, {record['n_cluster_atoms']} atoms around "
                      f"atom {record['centre_id']}", fontsize=8)
    profile_axis.plot(grid, free_energy, color="k", lw=1.0)
    if record["found"]:
        cv_axis.axvline(record["barrier_time"], color="C3", lw=0.8, ls="--")
        for name, marker in (("minimum", "o"), ("saddle", "^"), ("final_minimum", "s")):
            profile_axis.plot(record[f"{name}_position"], record[f"{name}_free_energy"], marker,
                              color="C3", ms=5, label=name.replace("_", " "))
        profile_axis.annotate(f"ΔF = {record['barrier']:.3f} eV",
                              (record["saddle_position"], record["saddle_free_energy"]),
                              textcoords="offset points", xytext=(6, 4), fontsize=8)
        profile_axis.legend(fontsize=7, frameon=False)
        visited = max(trajectory["rmsd"].max() if len(trajectory) else 0.0,
                      record["final_minimum_position"])
        profile_axis.set_xlim(0.0, min(grid[-1], 1.5 * visited))
    title = f"F from the hills at t = {record['barrier_time']:g} {record['time_unit']}"
    if record["found"]:
        profile_axis.set_title(title, fontsize=8)
    else:
        panel_note(profile_axis, title, f"no barrier ({record['status']}): {record['message']}")
    profile_axis.set_xlabel("RMSD (Å)")
    profile_axis.set_ylabel("F (eV)")
    figure.tight_layout()
    return figure


REDUCTION_PANELS = (
    ("parallel", "barrier_para", "barrier_para_error", "$\\Delta F_\\mathrm{para}$"),
    ("sequential", "barrier_seq", "barrier_seq_error", "$\\Delta F_\\mathrm{seq}$"),
    ("effective", "barrier_eff", "barrier_eff_error", "$\\Delta F_\\mathrm{eff}$"),
    ("mean", "barrier_mean", "barrier_sem", "$\\langle\\Delta F\\rangle$"))
"""(reduction, column of spectra.csv, its error column, symbol) of Figs. 4c-e."""
EXPERIMENT_MARKERS = "s^vD<>po*h"


def spectra_figure(samples: dict, spectra):
    """Barrier spectra (Figs. 3b, 4a): one histogram of the crossed runs' Delta F per
    temperature (``samples``: {T: barriers in eV}), coldest on top, with the
    log-normal fit of ``spectra`` (spectra.csv; censored runs included) scaled to the
    counts of all n fitted runs and Delta F_eff dashed."""
    rows = spectra.sort_values("temperature")
    figure, axes = plt.subplots(len(rows), 1, sharex=True, squeeze=False,
                                figsize=(COLUMN_WIDTH_IN, 0.9 + 1.1 * len(rows)))
    values = [b for b in samples.values() if len(b)]
    edges = np.histogram_bin_edges(np.concatenate(values) if values else [0.0, 1.0], bins="auto")
    x = np.linspace(max(edges[0], 1e-6), edges[-1], 200)
    colours = temperature_colours(rows["temperature"])
    for axis, (_, row) in zip(axes[:, 0], rows.iterrows()):
        barriers = samples.get(row["temperature"], np.empty(0))
        axis.hist(barriers, bins=edges, color=colours[row["temperature"]], alpha=0.7)
        if np.isfinite(row["lognormal_median"]):
            scale = row["n"] * np.diff(edges).mean()
            axis.plot(x, scale * lognorm.pdf(x, row["lognormal_log_sd"],
                                             scale=row["lognormal_median"]), "k", lw=0.8)
        if np.isfinite(row["barrier_eff"]):
            axis.axvline(row["barrier_eff"], color="k", ls="--", lw=0.6)
        panel_note(axis, f"{row['temperature']:g} K: {row['n_crossed']} / {row['n_runs']} "
                   f"crossed, {row['n_censored']} censored")
        axis.set_ylabel("count", fontsize=8)
        axis.tick_params(labelsize=7)
    axes[-1, 0].set_xlabel("$\\Delta F$ (eV)", fontsize=8)
    figure.tight_layout()
    return figure


def convergence_figure(curves: dict):
    """Running mean (line), +- sd (dashed) and +- sem (band) of Delta F against the
    number of crossed runs (Fig. 3a); ``curves``: {T: analysis RunningStatistics}."""
    figure, axis = plt.subplots(figsize=(COLUMN_WIDTH_IN, 2.6))
    colours = temperature_colours(curves)
    for temperature, stats in sorted(curves.items()):
        colour = colours[temperature]
        axis.plot(stats.n, stats.mean, color=colour, lw=1.0, label=f"{temperature:g} K")
        for sign in (-1, 1):
            axis.plot(stats.n, stats.mean + sign * stats.sd, color=colour, ls="--", lw=0.5)
        axis.fill_between(stats.n, stats.mean - stats.sem, stats.mean + stats.sem, color=colour,
                          alpha=0.25, lw=0)
    if not curves:
        axis.text(0.5, 0.5, "no crossed runs", transform=axis.transAxes, ha="center")
    else:
        axis.legend(fontsize=6, frameon=False, title="mean; dashed ± sd; band ± sem",
                    title_fontsize=6)
    axis.set_xlabel("number of crossed runs", fontsize=8)
    axis.set_ylabel("running $\\Delta F$ (eV)", fontsize=8)
    axis.tick_params(labelsize=7)
    figure.tight_layout()
    return figure


def _fit_label(fit: dict) -> str:
    return (f"$\\Delta Q$ = {fit['activation_energy']:.2f} ± "
            f"{fit['activation_energy_error']:.2f} eV"
            f"\n$\\Delta S$ = {fit['activation_entropy']:.1f} ± "
            f"{fit['activation_entropy_error']:.1f} $k_B$")


def activation_figure(spectra, activation: dict, art: dict | None = None):
    """Delta F_para, Delta F_seq, Delta F_eff (of the fitted Gaussian spectrum) and the
    mean of the crossed runs against T with parametric-bootstrap (mean: standard)
    errors and the fits Delta Q - T Delta S of ``activation``
    (activation.json), one panel each (Figs. 4c-e). ``art`` (mgrelax.metad.summary.art_point):
    the ART mean activation energy with its interval, drawn at T = 0 K on the
    Delta F_eff panel (the rhombus of Fig. 4e), the fits then drawn down to 0 K."""
    rows = spectra.sort_values("temperature")
    t = rows["temperature"].to_numpy()
    figure, axes = plt.subplots(len(REDUCTION_PANELS), 1, sharex=True,
                                figsize=(COLUMN_WIDTH_IN, 6.4))
    for index, (axis, (name, column, error, symbol)) in enumerate(zip(axes, REDUCTION_PANELS)):
        axis.errorbar(t, rows[column], yerr=np.nan_to_num(rows[error].to_numpy(float)), fmt="o",
                      ms=3, capsize=2, color=f"C{index}")
        fit = activation["reductions"][name]
        notes = [f"no fit: {fit['error']}" if "error" in fit else ""]
        if "error" not in fit:
            line = np.linspace(0.0 if art else t.min(), t.max(), 50)
            axis.plot(line, fit["activation_energy"]
                      - line * fit["activation_entropy"] * BOLTZMANN, "--", color=f"C{index}",
                      lw=0.8, label=_fit_label(fit))
        if art and name == "effective":
            notes.append(_art_point(axis, art))
        panel_note(axis, *notes)
        if axis.get_legend_handles_labels()[0]:
            axis.legend(fontsize=6, frameon=False)
        axis.set_ylabel(f"{symbol} (eV)", fontsize=8)
        axis.tick_params(labelsize=7)
    axes[-1].set_xlabel("T (K)", fontsize=8)
    figure.tight_layout()
    return figure


def _art_point(axis, art: dict) -> str:
    """The ART mean at T = 0 K with its interval; the note of the panel when ART found
    no event, else ''."""
    if art["mean"] is None:
        return "ART (0 K): no verified saddle"
    low, high = (art["mean"], art["mean"]) if art["mean_interval"][0] is None \
        else art["mean_interval"]
    axis.errorbar([0.0], [art["mean"]], yerr=[[art["mean"] - low], [high - art["mean"]]],
                  fmt="D", ms=4, capsize=2, color="k", label="ART (0 K)")
    return ""


def _log10(values):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log10(np.asarray(values, dtype=float))


def arrhenius_figure(spectra, activation: dict, experiments=None):
    """log10(nu / Hz) against 1000/T (Fig. 5): nu_eff with its parametric-bootstrap range, the
    band from nu_seq (lower) to nu_para (upper), the line nu0 exp(Delta S / k_B)
    exp(-Delta Q / k_B T) of the effective fit, and the ``experiments`` (columns
    label, temperature in K, frequency in Hz) by label."""
    rows = spectra.sort_values("temperature")
    x = 1000.0 / rows["temperature"].to_numpy()
    figure, axis = plt.subplots(figsize=(COLUMN_WIDTH_IN, 2.8))
    axis.fill_between(x, _log10(rows["nu_seq"]), _log10(rows["nu_para"]), color="C0", alpha=0.2,
                      lw=0, label="$\\nu_\\mathrm{seq}$ to $\\nu_\\mathrm{para}$")
    eff = _log10(rows["nu_eff"])
    spread = np.vstack([eff - _log10(rows["nu_eff_low"]), _log10(rows["nu_eff_high"]) - eff])
    axis.errorbar(x, eff, yerr=np.nan_to_num(spread, posinf=0.0), fmt="o-", ms=3, capsize=2,
                  color="C0", lw=0.8, label="$\\nu_\\mathrm{eff}$ (metadynamics)")
    span = list(x)
    if experiments is not None:
        for index, (label, group) in enumerate(experiments.groupby("label", sort=False)):
            inverse = 1000.0 / group["temperature"].to_numpy(float)
            span += list(inverse)
            axis.plot(inverse, _log10(group["frequency"]), ls="none", ms=4, color=f"C{index + 1}",
                      marker=EXPERIMENT_MARKERS[index % len(EXPERIMENT_MARKERS)], label=label)
    fit = activation["reductions"]["effective"]
    if "error" not in fit and span:
        line = np.linspace(min(span), max(span), 50)
        log_nu = (np.log(activation["attempt_frequency"]) + fit["activation_entropy"]
                  - fit["activation_energy"] * line / (1000.0 * BOLTZMANN)) / np.log(10)
        axis.plot(line, log_nu, "--", color="C0", lw=0.6,
                  label="$\\Delta Q$, $\\Delta S_\\mathrm{eff}$ fit")
    axis.set_xlabel("1000/T (1/K)", fontsize=8)
    axis.set_ylabel("log$_{10}$($\\nu$ / Hz)", fontsize=8)
    axis.tick_params(labelsize=7)
    axis.legend(fontsize=6, frameon=False)
    figure.tight_layout()
    return figure


def cluster_size_figure(r, g, table):
    """Cluster-size convergence (Fig. 2): (a) total g(r) with the cutoffs of ``table``
    (cluster_size.csv) as vertical lines; (b) mean Delta F (left) and nu from it
    (right, log) against the mean number of cluster atoms."""
    figure, (g_axis, size_axis) = plt.subplots(2, 1, figsize=(COLUMN_WIDTH_IN, 4.8))
    g_axis.plot(r, g, color="k", lw=0.8)
    for index, (_, row) in enumerate(table.iterrows()):
        g_axis.axvline(row["cutoff_radius"], color=f"C{index}", ls="--", lw=0.8,
                       label=f"{row['cutoff']}: {row['cutoff_radius']:.2f} Å, "
                             f"{row['n_cluster_atoms']:.1f} atoms")
    g_axis.legend(fontsize=6, frameon=False)
    g_axis.set_xlabel("r (Å)", fontsize=8)
    g_axis.set_ylabel("g(r)", fontsize=8)
    n = table["n_cluster_atoms"].to_numpy(float)
    size_axis.errorbar(n, table["barrier_mean"],
                       yerr=np.nan_to_num(table["barrier_sem"].to_numpy(float)), fmt="o-", ms=3,
                       capsize=2, color="C0", lw=0.8)
    size_axis.set_xlabel("atoms in the cluster", fontsize=8)
    size_axis.set_ylabel("$\\langle\\Delta F\\rangle$ (eV)", fontsize=8, color="C0")
    frequency_axis = size_axis.twinx()
    frequency_axis.plot(n, table["frequency"], "s--", ms=3, lw=0.8, color="C3")
    if np.any(table["frequency"] > 0):
        frequency_axis.set_yscale("log")
    frequency_axis.set_ylabel("$\\nu$ (Hz)", fontsize=8, color="C3")
    for axis in (g_axis, size_axis, frequency_axis):
        axis.tick_params(labelsize=7)
    figure.tight_layout()
    return figure
