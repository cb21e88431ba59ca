"""ART nouveau searches at scale: batches of searches on the clusters of one glass
sample, each search's outcome (a verified saddle or the failure and why) kept as one
row of an HDF5 events table.

Cluster c is centred on the atom of metadynamics run c (mgrelax.metad.jobs.run_centre)
in glass sample c mod samples; search k on it pushes with seed art.seed + c x
searches_per_centre + k. A batch opens the LAMMPS energy surface on the sample's
inherent structure once, relaxes it once with the engine's minimiser (the common
starting minimum), and runs its searches one after another. The table is written to
``<output>.partial`` after every search, so a batch started again skips the searches
already done, and is renamed to the output when the batch is done.

Progress goes to the job's log (mgrelax.jobs.Progress): the first line names the batch,
then a line as the relaxation of the starting minimum and as each search starts and
ends (search k of n, its outcome, its force calls and the batch's, the time elapsed and
an estimate of the time left), and every ``progress_every`` seconds within each (the
search's stage, force calls, energy above the minimum, lowest eigenvalue).

Table columns: every scalar field of mgrelax.art.engine.Event, activation_energy and
asymmetry (eV), one boolean column per level of mgrelax.art.engine.LEVELS (first_order,
metabasin, strict), and sample, batch, cluster, centre_id, seed; ``saddle_displacement``
and ``final_displacement`` ((searches, N, 3) float32, A) are the saddle and final
minimum less the starting minimum, NaN where the search did not reach them;
``minimum/sample<k>`` holds the starting minimum ((N, 3), A). Every dataset has its
unit in a ``units`` attribute.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

from mgrelax.art.engine import (FORCE_CALL_COUNTS, ArtSettings, CountingSurface, Event, Point,
                         largest_atom_force, minimise, search_levels)
from mgrelax.art.lammps_surface import open_surface
from mgrelax.art.metabasin import MetabasinCheck
from mgrelax.art.search import check_radii, search_cluster
from mgrelax.jobs import PARTIAL, PROGRESS_EVERY, Progress, duration
from mgrelax.lammps_io import Configuration, read_data_file, read_hdf5, write_hdf5
from mgrelax.metad.jobs import run_centre
from mgrelax.plan import Search, batches, search_radii
from mgrelax.potentials import Model

LOGGER = logging.getLogger(__name__)
ERROR = "error"
"""Status of a search that raised an exception (LAMMPS's errors are plain Exceptions)."""
ARRAY_FIELDS = tuple(f.name for f in dataclasses.fields(Event) if f.default is None)
"""The position arrays of an Event (saddle, final): None until the search reaches them."""
EVENT_FIELDS = tuple(f.name for f in dataclasses.fields(Event) if f.name not in ARRAY_FIELDS)
COUNT_FIELDS = tuple(f.name for f in dataclasses.fields(Event) if type(f.default) is int)
LENGTH_UNIT = "Angstrom"
COLUMN_UNITS = {
    "initial_energy": "eV", "saddle_energy": "eV", "final_energy": "eV",
    "activation_energy": "eV", "asymmetry": "eV",
    "eigenvalue": "eV/Angstrom^2", "second_eigenvalue": "eV/Angstrom^2",
    "saddle_force": "eV/Angstrom", "region_displacement": LENGTH_UNIT,
    "max_displacement": LENGTH_UNIT, "neighbour_energy": "eV", "neighbour_barrier": "eV",
    "neighbour_distance": LENGTH_UNIT,
}
"""Units of the real-valued columns."""
MINIMUM_PREFIX = "minimum/sample"


@dataclass
class EventTable:
    """Searches and their outcomes: scalar ``rows``, displacements from the minimum at
    the saddle and the final minimum ((searches, N, 3) float32, A, NaN where absent) and
    the starting minimum of each sample ((N, 3) A)."""

    rows: pd.DataFrame
    saddle_displacement: np.ndarray
    final_displacement: np.ndarray
    minima: dict[int, np.ndarray]


def column_unit(name: str) -> str:
    """Unit of a column: COLUMN_UNITS, "1" for the counts of Event, "" for labels and text."""
    return COLUMN_UNITS.get(name, "1" if name in COUNT_FIELDS else "")


def unit_columns() -> dict:
    """Unit columns of a CSV events table."""
    return {"energy_unit": "eV", "eigenvalue_unit": "eV/Angstrom^2", "force_unit": "eV/Angstrom",
            "length_unit": LENGTH_UNIT}


def write_events(path: Path, events: EventTable, attributes: dict) -> None:
    """The table as HDF5 (atomically): one dataset per column, units attached."""
    datasets = {}
    for name in events.rows:
        values = events.rows[name].to_numpy()
        if values.dtype == object:
            values = np.array(values.tolist(), dtype=h5py.string_dtype())
        datasets[name] = (values, column_unit(name))
    datasets["saddle_displacement"] = (events.saddle_displacement, LENGTH_UNIT)
    datasets["final_displacement"] = (events.final_displacement, LENGTH_UNIT)
    datasets.update({f"{MINIMUM_PREFIX}{sample}": (minimum, LENGTH_UNIT)
                     for sample, minimum in events.minima.items()})
    write_hdf5(path, datasets, {**attributes, "columns": list(events.rows)})


def read_events(path: Path) -> tuple[EventTable, dict]:
    """A table written by write_events, and its other attributes."""
    datasets, attributes = read_hdf5(path)
    columns = json.loads(attributes.pop("columns"))
    rows = pd.DataFrame({name: _decoded(datasets[name][0]) for name in columns})
    minima = {int(name.removeprefix(MINIMUM_PREFIX)): values
              for name, (values, _) in datasets.items() if name.startswith(MINIMUM_PREFIX)}
    return EventTable(rows, datasets["saddle_displacement"][0],
                      datasets["final_displacement"][0], minima), attributes


def _decoded(values: np.ndarray) -> np.ndarray:
    """Text datasets come back from h5py as bytes."""
    return np.array([v.decode() for v in values], dtype=object) if values.dtype == object \
        else values


def event_row(event: Event, search: Search, centre_id: int, sample: int, batch: int) -> dict:
    """The scalar columns of one search."""
    return {"sample": sample, "batch": batch, "cluster": search.cluster, "centre_id": centre_id,
            "seed": search.seed, **{name: getattr(event, name) for name in EVENT_FIELDS},
            "activation_energy": event.activation_energy, "asymmetry": event.asymmetry,
            **search_levels(event.status)}


def displacement(positions: np.ndarray | None, minimum: np.ndarray) -> np.ndarray:
    """``positions - minimum`` as float32 (A); NaN where there are no positions."""
    if positions is None:
        return np.full(minimum.shape, np.nan, dtype=np.float32)
    return (positions - minimum).astype(np.float32)


class BatchTable:
    """The rows of a batch as they are done, written after each one."""

    def __init__(self, path: Path, sample: int, minimum: np.ndarray, attributes: dict):
        self.path, self.sample, self.minimum, self.attributes = path, sample, minimum, attributes
        self.rows, self.saddles, self.finals = [], [], []

    @classmethod
    def resumed(cls, path: Path, sample: int, searches: list[Search], attributes: dict):
        """The table of an earlier attempt at this batch if ``path`` holds one whose
        searches are the first of ``searches``, made with the same engine and metabasin
        settings and radii; else None."""
        if not path.exists():
            return None
        events, stored = read_events(path)
        done = list(zip(events.rows["cluster"], events.rows["seed"]))
        radii = ("push_radius", "mode_radius")
        if (done != [(s.cluster, s.seed) for s in searches[:len(done)]]
                or any(json.loads(stored.get(key, "null")) != attributes[key]
                       for key in ("settings", "metabasin"))
                or any(stored[key] != attributes[key] for key in radii)):
            LOGGER.warning("%s holds other searches or settings than this batch's: starting "
                           "over", path)
            return None
        table = cls(path, sample, events.minima[sample], attributes)
        table.rows = events.rows.to_dict("records")
        table.saddles, table.finals = list(events.saddle_displacement), \
            list(events.final_displacement)
        return table

    def add(self, row: dict, event: Event) -> None:
        self.rows.append(row)
        self.saddles.append(displacement(event.saddle, self.minimum))
        self.finals.append(displacement(event.final, self.minimum))
        write_events(self.path, self.events(), self.attributes)

    def force_calls(self) -> int:
        """Force calls of the searches in the table, every one of each search's."""
        return int(sum(row[name] for row in self.rows for name in FORCE_CALL_COUNTS))

    def events(self) -> EventTable:
        return EventTable(pd.DataFrame(self.rows), np.stack(self.saddles), np.stack(self.finals),
                          {self.sample: self.minimum})


class ClusterSearches:
    """The LAMMPS energy surface of a batch (serial, in ``directory``) and the searches on
    it. A search that raises (LAMMPS raises plain Exceptions) becomes an ``error`` event
    with the message, and the surface is opened afresh for the next one. A running
    relaxation or search reports every ``progress_every`` seconds (mgrelax.jobs.Progress)."""

    def __init__(self, config: dict, model: Model, inherent_data: Path, directory: Path,
                 glass: Configuration, progress_every: float = PROGRESS_EVERY):
        self.config, self.model, self.inherent_data = config, model, inherent_data
        self.directory, self.glass, self.progress_every = directory, glass, progress_every
        art = config["art"]
        self.settings = ArtSettings(**art["engine"])
        self.neighbours = MetabasinCheck(**art["metabasin"])
        self.radii = art["push_radius"], art["mode_radius"]
        self.surface = self._open()

    def _open(self):
        return open_surface(self.config, self.model, self.directory, self.inherent_data)

    def minimum(self, label: str) -> np.ndarray:
        """The inherent structure relaxed by the engine's minimiser (A), its progress
        lines labelled ``label``."""
        settings, start = self.settings, self.surface.initial_positions
        progress = Progress(LOGGER, label, 1, every=self.progress_every)
        progress.start(f"the inherent structure ({len(start)} atoms) by FIRE until no atom's "
                       f"force exceeds {settings.minimum_force_tolerance:g} eV/A (at most "
                       f"{settings.max_minimisation_steps} steps)")
        evaluate = CountingSurface(self.surface, settings.max_force, on_call=lambda point:
                                   progress.update(lambda: relaxation_state(evaluate, point)))
        minimum = minimise(evaluate, start, settings)
        progress.finish(f"(the inherent structure): {evaluate.calls - 1} FIRE steps, "
                        f"{relaxation_state(evaluate, minimum)}")
        return minimum.positions

    def search(self, minimum: np.ndarray, centre_id: int, seed: int,
               progress: Progress | None = None) -> Event:
        try:
            return search_cluster(self.surface, self.glass, minimum, centre_id, *self.radii,
                                  self.settings, seed, neighbours=self.neighbours,
                                  progress=progress)
        except Exception as error:
            LOGGER.exception("search with seed %d raised: recorded, LAMMPS restarted", seed)
            self.surface.close()
            self.surface = self._open()
            return Event(status=ERROR, reason=f"{type(error).__name__}: {error}")

    def close(self) -> None:
        self.surface.close()


def relaxation_state(evaluate: CountingSurface, point: Point) -> str:
    """The force calls so far, the energy (eV) and the largest atom force (eV/A) of a
    relaxation at ``point``."""
    return (f"{evaluate.calls} force calls, energy {point.energy:.4f} eV, largest atom force "
            f"{largest_atom_force(evaluate.project(point.forces)):.3g} eV/A")


def search_outcome(search: Search, centre_id: int, event: Event, batch_force_calls: int) -> str:
    """What a search's progress line says at its end. The line's start, "sample S batch B
    search k/n (cluster C, atom A, seed S)", is what mgrelax.cost.SEARCH_LINE times."""
    reason = f" ({event.reason})" if event.reason else ""
    return (f"(cluster {search.cluster}, atom {centre_id}, seed {search.seed}): {event.status}"
            f"{reason}, E_a {event.activation_energy:.4f} eV, {event.total_force_calls} force "
            f"calls ({event.force_calls} in push and activation), {batch_force_calls} in the "
            "batch")


def run_batch(config: dict, model: Model, inherent_data: Path, output: Path, sample: int,
              batch: int, provenance: dict | None = None,
              progress_every: float = PROGRESS_EVERY) -> None:
    """Run batch ``batch`` of glass sample ``sample`` from ``inherent_data`` and publish its
    events table at ``output`` (resuming from ``<output>.partial``). Failed searches are
    rows with their status and reason; one that raises is an ``error`` row
    (ClusterSearches). Progress lines go to this module's logger, within a relaxation or
    a search every ``progress_every`` seconds."""
    art, output = config["art"], Path(output)
    searches = batches(art, config["samples"], sample)[batch]
    glass = read_data_file(inherent_data)
    check_radii(search_radii(art), glass.box)
    centres = {s.cluster: run_centre(config, model, glass, s.cluster) for s in searches}
    partial = output.with_name(output.name + PARTIAL)
    attributes = {"sample": sample, "batch": batch, "inherent_structure": str(inherent_data),
                  "settings": art["engine"], "metabasin": art["metabasin"], "push_radius": art["push_radius"],
                  "mode_radius": art["mode_radius"], "provenance": provenance or {}}
    label = f"sample {sample} batch {batch}"
    resumed = BatchTable.resumed(partial, sample, searches, attributes)
    done = len(resumed.rows) if resumed else 0
    LOGGER.info("%s: %d ART searches from %s (%d done by an earlier attempt); progress in "
                "this log: a line as each starts and ends, and every %s within one", label,
                len(searches), inherent_data, done, duration(progress_every))
    searcher = ClusterSearches(config, model, inherent_data, output.parent / "surface", glass,
                               progress_every)
    try:
        table = resumed or BatchTable(partial, sample, searcher.minimum(f"{label} relaxation"),
                                      attributes)
        progress = Progress(LOGGER, f"{label} search", len(searches), done, progress_every)
        for search in searches[done:]:
            centre = centres[search.cluster]
            progress.start(f"cluster {search.cluster}, atom {centre}, seed {search.seed}")
            event = searcher.search(table.minimum, centre, search.seed, progress)
            table.add(event_row(event, search, centre, sample, batch), event)
            progress.finish(search_outcome(search, centre, event, table.force_calls()))
    finally:
        searcher.close()
    os.replace(partial, output)
