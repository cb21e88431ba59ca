"""Tables and figures that summarise the glass stage over samples and temperatures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from mgrelax.figures import glass_transition_figure, pair_distribution_figure, save
from mgrelax.lammps_io import read_hdf5
from mgrelax.potentials import Model

TG_QUANTITIES = ("volume", "potential_energy")


def combined_tg(values: list[float], window_uncertainties: list[float]) -> dict:
    """Mean Tg over samples with its uncertainty.

    The sample-to-sample spread enters as a standard error of the mean; the
    fit-window uncertainty is systematic (the same windows for all samples) and
    enters as its root-mean-square, not reduced by the number of samples.
    """
    values = np.asarray(values, float)
    window = float(np.sqrt(np.mean(np.square(window_uncertainties))))
    spread = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    return {"tg": float(values.mean()), "tg_sample_std": spread,
            "tg_window_uncertainty": window,
            "tg_uncertainty": float(np.hypot(spread / np.sqrt(len(values)), window)),
            "n_samples": len(values)}


def glass_transition_table(transition_files: list[Path]) -> pd.DataFrame:
    rows = []
    for sample, path in enumerate(transition_files):
        record = json.loads(Path(path).read_text())
        for quantity, fit in record["fits"].items():
            rows.append({"sample": sample, "quantity": quantity,
                         "tg": fit.get("tg", np.nan),
                         "tg_uncertainty": fit.get("tg_uncertainty", np.nan),
                         "temperature_unit": record["temperature_unit"],
                         "error": fit.get("error", "")})
    table = pd.DataFrame(rows)
    summary = []
    for quantity, group in table[table["error"] == ""].groupby("quantity"):
        summary.append({"sample": "mean", "quantity": quantity,
                        **combined_tg(group["tg"].tolist(), group["tg_uncertainty"].tolist()),
                        "temperature_unit": group["temperature_unit"].iloc[0], "error": ""})
    return pd.concat([table, pd.DataFrame(summary)], ignore_index=True)


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
    tg_table = glass_transition_table(inputs.transitions)
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
