"""Tables and figures that summarise the glass stage over samples and temperatures."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from mgrelax.figures import save
from mgrelax.glass.figures import glass_transition_figure, pair_distribution_figure
from mgrelax.glass.jobs import QUANTITY_SYMBOLS, TG_QUANTITIES
from mgrelax.lammps_io import read_hdf5
from mgrelax.potentials import Model


LOGGER = logging.getLogger(__name__)


def combined_tg(values: list[float], window_sds: list[float],
                statistical_errors: list[float]) -> dict:
    """Mean Tg over n samples with its uncertainty (unit of the inputs).

    With n > 1: tg_uncertainty = sqrt((sd / sqrt(n))^2 + rms(window sd)^2), the standard
    error of the mean over samples (sd with n - 1 degrees of freedom, which already holds
    each quench's noise) combined with the root mean square of the per-sample fit-window
    spreads, which are systematic (the same windows for all samples) and so not reduced
    by n. With one sample: sqrt(window sd^2 + statistical error^2), that quench's own
    bootstrap error. ``tg_uncertainty_kind`` states which.
    """
    values = np.asarray(values, float)
    n = len(values)
    window = float(np.sqrt(np.mean(np.square(window_sds))))
    if n > 1:
        spread = float(np.std(values, ddof=1))
        uncertainty = float(np.hypot(spread / np.sqrt(n), window))
        kind = f"sqrt((sd over {n} samples / sqrt({n}))^2 + rms fit-window sd^2)"
    else:
        spread = 0.0
        uncertainty = float(np.hypot(window, statistical_errors[0]))
        kind = "sqrt(fit-window sd^2 + bootstrap error^2) of the one sample"
    return {"tg": float(values.mean()), "tg_sample_std": spread,
            "tg_window_sd": window, "tg_uncertainty": uncertainty,
            "tg_uncertainty_kind": kind, "n_samples": n}


PER_SAMPLE_KIND = ("sqrt(sd over {n_windows} fit-window choices^2 + AR(1)-bootstrap error of "
                   "the quench record^2)")


def glass_transition_table(transition_files: list[Path],
                           anneal_temperature: float) -> pd.DataFrame:
    """Tg of every sample and quantity (V, E, H), their means over samples, and whether
    ``anneal_temperature`` lies below each (see anneal_below_tg). Each sample's row also
    holds the hinge breakpoint (tg_hinge, the second estimate of the same kink)."""
    rows = []
    for sample, path in enumerate(transition_files):
        record = json.loads(Path(path).read_text())
        for quantity, fit in record["fits"].items():
            hinge = fit.get("hinge", {})
            rows.append({"sample": sample, "quantity": quantity,
                         **{name: fit.get(name, np.nan) for name in
                            ("tg", "tg_window_sd", "tg_statistical_error", "tg_uncertainty")},
                         "tg_uncertainty_kind": (PER_SAMPLE_KIND.format(**fit)
                                                 if "n_windows" in fit else ""),
                         "tg_hinge": hinge.get("tg", np.nan),
                         "tg_hinge_error": hinge.get("tg_error", np.nan),
                         "temperature_unit": record["temperature_unit"],
                         "error": fit.get("error", ""), "hinge_error": hinge.get("error", "")})
    table = pd.DataFrame(rows)
    summary = []
    for quantity, group in table[table["error"] == ""].groupby("quantity"):
        summary.append({"sample": "mean", "quantity": quantity,
                        **combined_tg(group["tg"].tolist(), group["tg_window_sd"].tolist(),
                                      group["tg_statistical_error"].tolist()),
                        "temperature_unit": group["temperature_unit"].iloc[0], "error": ""})
    return anneal_below_tg(pd.concat([table, pd.DataFrame(summary)], ignore_index=True),
                           anneal_temperature)


def anneal_below_tg(table: pd.DataFrame, anneal_temperature: float) -> pd.DataFrame:
    """The Tg table with ``anneal_temperature``, ``anneal_below_tg`` (False where the
    anneal is at or above Tg; empty without a Tg) and a ``note`` naming both numbers
    where it is not below, each also logged as a warning."""
    has_tg = table["tg"].notna()
    not_below = has_tg & (table["tg"] <= anneal_temperature)
    notes = [_anneal_note(row, anneal_temperature) if flag else ""
             for flag, (_, row) in zip(not_below, table.iterrows())]
    for note in filter(None, notes):
        LOGGER.warning(note)
    return table.assign(anneal_temperature=anneal_temperature,
                        anneal_below_tg=(~not_below).where(has_tg), note=notes)


def _anneal_note(row, anneal_temperature: float) -> str:
    unit = row["temperature_unit"]
    whose = (f"the mean over {int(row['n_samples'])} samples" if row["sample"] == "mean"
             else f"sample {row['sample']}")
    return (f"anneal.temperature = {anneal_temperature:g} {unit} is not below "
            f"Tg({QUANTITY_SYMBOLS.get(row['quantity'], row['quantity'])}) = {row['tg']:.3g} "
            f"+- {row['tg_uncertainty']:.2g} {unit} of {whose}: the anneal does not age the "
            f"glass below its glass transition")


def per_state(files: list[Path], samples: list[int], temperatures: list[str]):
    """(sample, temperature, file) for files listed sample-major, as Snakemake's expand makes them."""
    states = ((sample, float(t)) for sample in samples for t in temperatures)
    for (sample, temperature), path in zip(states, files, strict=True):
        yield sample, temperature, Path(path)


def structure_table(structure_files: list[Path], samples: list[int],
                    temperatures: list[str]) -> pd.DataFrame:
    rows = []
    for sample, temperature, path in per_state(structure_files, samples, temperatures):
        record = json.loads(path.with_suffix(".json").read_text())
        for pair, peak in record["pairs"].items():
            rows.append({"sample": sample, "temperature": temperature, "pair": pair,
                         **peak, "length_unit": record["length_unit"]})
    return pd.DataFrame(rows)


def inherent_table(summary_files: list[Path], samples: list[int],
                   temperatures: list[str]) -> pd.DataFrame:
    rows = []
    for sample, temperature, path in per_state(summary_files, samples, temperatures):
        record = json.loads(path.read_text())
        record.pop("provenance")
        rows.append({"sample": sample, "temperature": temperature, **record})
    return pd.DataFrame(rows)


def write_glass_summary(inputs, outputs, config: dict, model: Model, samples: list[int],
                        temperatures: list[str]) -> None:
    """All tables and figures of the glass stage (see workflow/rules/glass.smk)."""
    tg_table = glass_transition_table(inputs.transitions, config["anneal"]["temperature"])
    tg_table.to_csv(outputs.glass_transition, index=False)
    structure_table(inputs.structures, samples, temperatures).to_csv(outputs.structure,
                                                                      index=False)
    inherent_table(inputs.inherent, samples, temperatures).to_csv(outputs.inherent, index=False)
    title = (f"{model.name}, {config['n_atoms']} atoms, {len(samples)} sample(s), "
             f"{config['quench']['cooling_rate']:g} {model.units.config_cooling_rate}")
    Path(outputs.tg_figure).parent.mkdir(parents=True, exist_ok=True)
    save(_glass_transition_figure(inputs, tg_table, model, title),
         outputs.tg_figure, outputs.tg_figure_pdf)
    save(_pair_distribution_figure(inputs.structures, samples, temperatures, model, title),
         outputs.rdf_figure, outputs.rdf_figure_pdf)


def _glass_transition_figure(inputs, tg_table: pd.DataFrame, model: Model, title: str):
    curves, fits = [], []
    for table_path, transition_path in zip(inputs.tables, inputs.transitions):
        datasets, attributes = read_hdf5(table_path)
        n_atoms = int(attributes["n_atoms"])
        curves.append({"temperature": datasets["target_temperature"][0],
                       **{q: datasets[q][0] / n_atoms for q in TG_QUANTITIES}})
        fits.append(json.loads(Path(transition_path).read_text())["fits"])
    means = tg_table[tg_table["sample"] == "mean"].set_index("quantity")
    tg = {q: (means.loc[q, "tg"], means.loc[q, "tg_uncertainty"]) if q in means.index
          else (np.nan, np.nan) for q in TG_QUANTITIES}
    return glass_transition_figure(curves, fits, tg, model.units, title)


def _pair_distribution_figure(structure_files, samples, temperatures, model: Model, title: str):
    sums: dict = {}
    for _, temperature, path in per_state(structure_files, samples, temperatures):
        datasets, _ = read_hdf5(path)
        r = datasets["r"][0]
        for name, (g, _) in datasets.items():
            if name.startswith("g/"):
                by_temperature = sums.setdefault(name[2:], {})
                by_temperature[temperature] = by_temperature.get(temperature, 0.0) + g
    curves = {pair: {t: g / len(samples) for t, g in by_t.items()} for pair, by_t in sums.items()}
    return pair_distribution_figure(r, curves, model.units, title)
