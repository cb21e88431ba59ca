"""Tables and figures of the ART stage from its batch tables (Yang et al., Phys. Rev. B
102, 174103 (2020), Fig. 4b).

* ``events.h5``: every search of every batch (mgrelax.art.jobs's table, with its
  level columns first_order, metabasin, strict) with ``unique_<level>`` (an event of
  that level that repeats no earlier one of it), ``duplicate_of`` (row, from 0, of the
  earlier unique event an event of art.spectrum_level repeats; -1: none) and ``unique``
  (unique_<art.spectrum_level>); the attributes hold the art config section.
* ``events.csv``: the same rows without the displacement arrays, with unit columns.
* ``summary.json``: counts per status; for each level (mgrelax.art.engine.LEVELS) its count
  and fraction of the searches with the exact binomial (Clopper-Pearson) interval, the
  median force calls to its saddles and the spectrum of its unique activation energies
  (count, mean with its Student t interval, sd, median, log-normal fit); the spectrum
  of art.spectrum_level again as ``activation_energy`` (the 0 K point of Delta F_eff);
  the near-degenerate neighbours checked by NEB and connected; the scale of the
  campaign and the paper's values.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from analysis.art import (MEAN_INTERVAL_METHOD, SUCCESS_INTERVAL_METHOD, duplicate_of,
                          spectrum_statistics, success_rate)
from mgrelax.art.engine import LEVELS
from mgrelax.art.jobs import EventTable, read_events, unit_columns, write_events
from mgrelax.lammps_io import plain_json, write_json, write_text_atomically

CONFIDENCE = 0.95
PAPER = {
    "reference": "Yang et al., Phys. Rev. B 102, 174103 (2020), Fig. 4b",
    "searches": 1000, "mean_activation_energy": 1.35, "n_atoms": 4000, "cooling_rate": 1e10,
    "energy_unit": "eV", "cooling_rate_unit": "K/s",
    "note": "ART on Cu-centred clusters of the metadynamics glass (Mendelev 2009 Cu50Zr50); "
            "the mean is the 0 K point of Delta F_eff(T) in Fig. 4e",
}


def gather_events(paths) -> EventTable:
    """The batch tables at ``paths`` as one table, in the order given."""
    tables = [read_events(path)[0] for path in paths]
    return EventTable(pd.concat([t.rows for t in tables], ignore_index=True),
                      np.concatenate([t.saddle_displacement for t in tables]),
                      np.concatenate([t.final_displacement for t in tables]),
                      {sample: m for t in tables for sample, m in t.minima.items()})


def mark_duplicates(events: EventTable, art: dict) -> EventTable:
    """``events`` with the columns unique_<level> for each level, duplicate_of and unique
    (those of art.spectrum_level; see the module docstring); ``art``: the art config
    section (its duplicates tolerances in eV and A)."""
    rows, tolerances = events.rows, art["duplicates"]
    columns = {}
    for level in LEVELS:
        first = duplicate_of(rows["sample"], rows["saddle_energy"], events.saddle_displacement,
                             rows[level].to_numpy(), tolerances["energy_tolerance"],
                             tolerances["distance_tolerance"])
        columns[f"unique_{level}"] = rows[level].to_numpy() & (first < 0)
        if level == art["spectrum_level"]:
            columns["duplicate_of"] = first
    columns["unique"] = columns[f"unique_{art['spectrum_level']}"]
    return dataclasses.replace(events, rows=rows.assign(**columns))


def level_record(rows: pd.DataFrame, level: str, confidence: float) -> dict:
    """Searches at ``level``: count, fraction with its exact binomial interval, median force
    calls to the saddle, and the spectrum of its unique events (eV)."""
    reached = rows[level].astype(bool)
    spectrum = spectrum_statistics(rows.loc[rows[f"unique_{level}"], "activation_energy"],
                                   confidence)
    return {**dataclasses.asdict(success_rate(int(reached.sum()), len(rows), confidence)),
            "method": SUCCESS_INTERVAL_METHOD, "unit": "fraction of searches",
            "definition": LEVELS[level],
            "median_force_calls": rows.loc[reached, "force_calls"].median(),
            "activation_energy": {**dataclasses.asdict(spectrum),
                                  "interval_method": MEAN_INTERVAL_METHOD, "unit": "eV"}}


def summary_record(rows: pd.DataFrame, config: dict, confidence: float = CONFIDENCE) -> dict:
    """summary.json from the marked events table ``rows``."""
    art = config["art"]
    level = art["spectrum_level"]
    levels = {name: level_record(rows, name, confidence) for name in LEVELS}
    checked = np.isfinite(rows["neighbour_energy"].to_numpy(float))
    return plain_json({
        "searches": len(rows), "spectrum_level": level,
        "levels": levels,
        "unique": int(rows["unique"].sum()),
        "duplicates": int(rows[level].sum() - rows["unique"].sum()),
        "statuses": rows["status"].value_counts().to_dict(),
        "activation_energy": {**levels[level]["activation_energy"], "level": level},
        "force_calls_per_saddle": {
            "median": levels[level]["median_force_calls"], "level": level,
            "unit": "force calls",
            "counted": "push and activation to the converged saddle of each search at the "
                       "spectrum level, failed attempts included; the calls of its "
                       "verification and of the path to a neighbour are not counted"},
        "neighbours": {
            "checked": int(checked.sum()), "connected": int(rows["neighbour_connected"].sum()),
            "median_neb_force_calls": rows.loc[checked, "neb_force_calls"].median(),
            "energy_window": art["metabasin"]["energy"], "unit": "eV",
            "counted": "searches whose saddle has a side within the energy window of the "
                       "start (not the start itself), and those a climbing-image NEB "
                       "connected to the start"},
        "scale": {"n_atoms": config["n_atoms"], "samples": min(config["samples"], art["centres"]),
                  "clusters": art["centres"], "searches_per_centre": art["searches_per_centre"],
                  "temperature": art["temperature"], "temperature_unit": "K",
                  "cooling_rate": config["quench"]["cooling_rate"], "cooling_rate_unit": "K/s"},
        "paper": PAPER,
    })


def write_art_events(batch_paths, output, config: dict) -> None:
    """Every output of the art_events rule (``output``: its named outputs)."""
    events = mark_duplicates(gather_events(batch_paths), config["art"])
    write_events(output.events, events, {"art": config["art"]})
    write_text_atomically(output.table, events.rows.assign(**unit_columns()).to_csv(index=False))
    write_json(output.summary, summary_record(events.rows, config))
