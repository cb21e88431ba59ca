"""Tables and figures of the ART stage from its batch tables (Yang et al., Phys. Rev. B
102, 174103 (2020), Fig. 4b).

* ``events.h5``: every search of every batch (mgrelax.art_campaign's table) with
  ``duplicate_of`` (row, from 0, of the earlier unique event a verified event repeats;
  -1: none) and ``unique`` (a verified event that repeats none); the attributes hold
  the art config section.
* ``events.csv``: the same rows without the displacement arrays, with unit columns.
* ``summary.json``: counts per status, the success rate with its exact binomial
  interval, the count of first-order saddles connected to the start or not, the
  spectrum of the unique verified activation energies (count, mean with its Student t
  interval, sd, median, log-normal fit), the median force calls per verified saddle,
  the scale of the campaign and the paper's values.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from analysis.art import (MEAN_INTERVAL_METHOD, SUCCESS_INTERVAL_METHOD, duplicate_of,
                          spectrum_statistics, success_rate)
from mgrelax.art import FIRST_ORDER, SADDLE
from mgrelax.art_campaign import EventTable, read_events, unit_columns, write_events
from mgrelax.lammps_io import write_json, write_text_atomically
from mgrelax.metad_summary import plain_json

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


def mark_duplicates(events: EventTable, tolerances: dict) -> EventTable:
    """``events`` with the columns duplicate_of and unique (see the module docstring);
    ``tolerances``: the art.duplicates section (eV, A)."""
    rows = events.rows
    verified = (rows["status"] == SADDLE).to_numpy()
    first = duplicate_of(rows["sample"], rows["saddle_energy"], events.saddle_displacement,
                         verified, tolerances["energy_tolerance"],
                         tolerances["distance_tolerance"])
    return dataclasses.replace(events, rows=rows.assign(duplicate_of=first,
                                                        unique=verified & (first < 0)))


def summary_record(rows: pd.DataFrame, config: dict, confidence: float = CONFIDENCE) -> dict:
    """summary.json from the marked events table ``rows``."""
    verified = rows["status"] == SADDLE
    spectrum = spectrum_statistics(rows.loc[rows["unique"], "activation_energy"], confidence)
    success = success_rate(int(verified.sum()), len(rows), confidence)
    art = config["art"]
    return plain_json({
        "searches": len(rows), "verified": int(verified.sum()),
        "unique": int(rows["unique"].sum()),
        "duplicates": int(verified.sum() - rows["unique"].sum()),
        "statuses": rows["status"].value_counts().to_dict(),
        "activation_energy": {**dataclasses.asdict(spectrum),
                              "interval_method": MEAN_INTERVAL_METHOD, "unit": "eV"},
        "success_rate": {**dataclasses.asdict(success), "method": SUCCESS_INTERVAL_METHOD,
                         "unit": "fraction of searches"},
        "first_order_saddles": {
            "count": int(rows["status"].isin(FIRST_ORDER).sum()),
            "counted": "searches that converged to a point with exactly one negative "
                       "eigenvalue, whether or not it connects to the initial minimum"},
        "force_calls_per_saddle": {
            "median": rows.loc[verified, "force_calls"].median(), "unit": "force calls",
            "counted": "push and activation to the converged saddle of each verified event; "
                       "the calls of its verification are not counted"},
        "scale": {"n_atoms": config["n_atoms"], "samples": min(config["samples"], art["centres"]),
                  "clusters": art["centres"], "searches_per_centre": art["searches_per_centre"],
                  "temperature": art["temperature"], "temperature_unit": "K",
                  "cooling_rate": config["quench"]["cooling_rate"], "cooling_rate_unit": "K/s"},
        "paper": PAPER,
    })


def write_art_events(batch_paths, output, config: dict) -> None:
    """Every output of the art_events rule (``output``: its named outputs)."""
    events = mark_duplicates(gather_events(batch_paths), config["art"]["duplicates"])
    write_events(output.events, events, {"art": config["art"]})
    write_text_atomically(output.table, events.rows.assign(**unit_columns()).to_csv(index=False))
    write_json(output.summary, summary_record(events.rows, config))
