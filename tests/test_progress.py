"""Progress lines of the work that is not one LAMMPS MD run, on real LAMMPS: a tiny ART
batch, a NEB check and two inherent-structure minimisations. The lines appear in the
job's log in order, while the run goes on, and their counts are the run's own record."""

import logging
import re
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from mgrelax.art.engine import FORCE_CALL_COUNTS, LEVELS, SADDLE, Event
from mgrelax.art.jobs import EventTable, event_row, read_events, run_batch, write_events
from mgrelax.art.neb_check import write_neb_check
from mgrelax.config import model_of
from mgrelax.cost import search_times
from mgrelax.glass.jobs import MINIMISATION_THERMO_EVERY, inherent_structure_job, run_minimisations
from mgrelax.jobs import Progress, duration
from mgrelax.lammps_io import read_key_values
from mgrelax.launch import LaunchSettings
from mgrelax.plan import Search
from mgrelax.step import LOG_FORMAT
from test_art_stage import SEARCHES, art_config, tiny_inherent  # noqa: F401 (a fixture)
from test_neb import CU, build_hop

FORCE_CALLS = re.compile(r"(\d+) force calls")


@pytest.fixture
def job_log(tmp_path):
    """The file the package's log lines go to, as a Snakemake job's log (mgrelax.step)."""
    path = tmp_path / "job.log"
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logger = logging.getLogger("mgrelax")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield path
    logger.removeHandler(handler)
    logger.setLevel(level)
    handler.close()


@contextmanager
def tail(path: Path, every: float = 0.01):
    """The texts of ``path`` read every ``every`` s while the block runs (``tail -f``)."""
    texts, running = [], threading.Event()
    running.set()

    def read():
        while running.is_set():
            texts.append(path.read_text() if path.exists() else "")
            time.sleep(every)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        yield texts
    finally:
        running.clear()
        reader.join()


def messages(path: Path, label: str) -> list[str]:
    """The messages of the lines of ``path`` that begin with ``label``."""
    lines = [line.split(": ", 1)[1] for line in path.read_text().splitlines()]
    return [line for line in lines if line.startswith(label)]


def test_a_batch_reports_each_search_and_within_it(tiny_inherent, tmp_path, job_log):
    """Every force call reports (progress_every 0): the relaxation of the minimum, then
    each search started, its lines, its end; the force calls of each search's last line
    and of its end are the table's, the batch's sum too; cost.py still times the ends."""
    config = art_config()
    output = tmp_path / "batch0" / "events.h5"
    with tail(job_log) as texts:
        run_batch(config, model_of(config), tiny_inherent, output, 0, 0, progress_every=0.0)
    rows = read_events(output)[0].rows
    totals = rows[list(FORCE_CALL_COUNTS)].sum(axis=1)
    first = job_log.read_text().splitlines()[0]
    assert re.search(rf"mgrelax.art.jobs: sample 0 batch 0: {SEARCHES} ART searches from "
                     r".*inherent.data \(0 done by an earlier attempt\); progress in this log",
                     first)

    relaxation = messages(job_log, "sample 0 batch 0 relaxation 1/1")
    assert relaxation[0].startswith("sample 0 batch 0 relaxation 1/1 started: the inherent "
                                    "structure (250 atoms) by FIRE until no atom's force "
                                    "exceeds 0.001 eV/A")
    steps, calls = map(int, re.search(r"\(the inherent structure\): (\d+) FIRE steps, (\d+) "
                                      "force calls", relaxation[-1]).groups())
    assert calls == steps + 1 and f"{calls} force calls" in relaxation[-2]

    searches = messages(job_log, "sample 0 batch 0 search")
    ends = [line for line in searches if " (cluster" in line]
    assert len(ends) == len(rows) == SEARCHES
    for number, row, total in zip(range(1, SEARCHES + 1), rows.itertuples(), totals):
        own = [line for line in searches if line.startswith(f"sample 0 batch 0 search "
                                                            f"{number}/{SEARCHES}")]
        assert own == searches[:len(own)]  # in order: this search's lines come next
        searches = searches[len(own):]
        assert own[0] == (f"sample 0 batch 0 search {number}/{SEARCHES} started: cluster 0, "
                          f"atom {row.centre_id}, seed {row.seed}")
        running, end = own[1:-1], own[-1]
        assert [int(FORCE_CALLS.search(line).group(1)) for line in running] == \
            list(range(2, total + 1))  # every call after the minimum's, the last one the table's
        assert all(" s in: attempt 1, " in line and "eV above the minimum" in line
                   for line in running)
        assert end.startswith(f"sample 0 batch 0 search {number}/{SEARCHES} (cluster 0, atom "
                              f"{row.centre_id}, seed {row.seed}): {row.status}")
        assert f"{total} force calls ({row.force_calls} in push and activation)" in end
        assert re.search(r"; took \d+\.\d s, \d+\.\d s elapsed, about \d+\.\d s left$", end)
    assert f"{totals.sum()} in the batch" in ends[-1] and ends[-1].endswith("about 0.0 s left")

    written = [text for text in texts if f"search 1/{SEARCHES} (cluster" in text]
    assert written and f"search {SEARCHES}/{SEARCHES} (cluster" not in written[0]  # live
    assert search_times(job_log).seed.tolist() == rows.seed.tolist()[1:]


def test_a_neb_check_reports_each_neb_and_lammps_its_table_as_it_goes(tmp_path, job_log):
    """The vacancy hop of test_neb as an ART event: the NEB line at its start, LAMMPS's
    table growing in the event's log.lammps while the band moves, the line at its end
    with neb.csv's barrier and iterations."""
    hop = build_hop(tmp_path, CU)
    row = {**event_row(Event(SADDLE, initial_energy=hop.initial_energy,
                             saddle_energy=hop.initial_energy + 0.9), Search(0, 7),
                       hop.hopping + 1, 0, 0),
           "unique": True, **{f"unique_{level}": True for level in LEVELS}}
    events = EventTable(pd.DataFrame([row]), np.zeros((1, *hop.initial.shape), np.float32),
                        (hop.final - hop.initial)[None].astype(np.float32), {0: hop.initial})
    write_events(tmp_path / "events.h5", events, {})
    output = SimpleNamespace(table=tmp_path / "neb.csv")
    lammps_log = tmp_path / "neb" / "event0" / "log.lammps"
    config = art_config(neb={"events": 1, "replicas": 3})
    with tail(lammps_log) as texts:
        write_neb_check(tmp_path / "events.h5", {0: hop.initial_data}, output, config,
                        hop.model, LaunchSettings())
    table = pd.read_csv(output.table)

    lines = [line.split(": ", 1)[1] for line in job_log.read_text().splitlines()]
    assert lines[0].startswith("NEB check of 1 ART events: progress in this log, a line as "
                               "each NEB starts and ends; LAMMPS's NEB table, a row every 10 "
                               f"iterations, in {tmp_path / 'neb' / 'event<row>' / 'log.lammps'}")
    started, running, ended = lines[1:]
    assert started == (f"NEB 1/1 started: event 0 (sample 0, cluster 0, atom {hop.hopping + 1}, "
                       "seed 7), ART barrier 0.9000 eV, 3 replicas")
    assert running == f"{lammps_log.parent}: climbing-image NEB of 3 replicas; progress in " \
                      f"{lammps_log}"
    assert ended.startswith(f"NEB 1/1 (event 0): barrier {table.neb_barrier[0]:.4f} eV, ART "
                            f"0.9000 eV ({table.difference[0]:+.1f} meV), converged after "
                            f"{table.iterations[0]} iterations")

    final_rows = len([line for line in lammps_log.read_text().splitlines()
                      if line.split()[:1] and line.split()[0].isdigit()])
    seen = {len([line for line in text.splitlines() if line.split()[:1]
                 and line.split()[0].isdigit()]) for text in texts}
    assert len(seen - {0, final_rows}) >= 1  # the table was read part-written: live


def test_minimisations_report_their_start_and_end_and_lammps_every_hundred_iterations(
        tiny_inherent, tmp_path, job_log):
    """Two minimisations of the tiny liquid (as the DMS step runs its two inherent
    structures): each start and end in order, the end's iterations those of the summary;
    LAMMPS's thermo line every MINIMISATION_THERMO_EVERY iterations, with the seconds,
    in log.lammps while the minimisation runs."""
    config = art_config()
    model = model_of(config)
    liquid = tiny_inherent.parent.parent / "melt" / "liquid.data"
    jobs = {name: inherent_structure_job(config, model, tmp_path / name, liquid)
            for name in ("start", "one_period")}
    with tail(tmp_path / "start" / "log.lammps") as texts:
        records = run_minimisations(jobs, config, model, LaunchSettings())
    assert any(re.search(rf"^\s+{MINIMISATION_THERMO_EVERY}\s", text, re.M)
               and text.count("Loop time") == 1 for text in texts)  # run 0's loop only: live

    lines = [line.split(": ", 1)[1] for line in job_log.read_text().splitlines()]
    for number, name in enumerate(jobs, start=1):
        started, running, finished_job, ended = lines[4 * number - 4:4 * number]
        assert started == (f"minimisation {number}/2 started: {name}, 250 atoms, cg until the "
                           "force 2-norm is below 0.0001 eV/Angstrom (energy tolerance 0), at "
                           "most 100000 iterations and 1000000 force evaluations; LAMMPS "
                           f"reports every {MINIMISATION_THERMO_EVERY} iterations in "
                           f"{tmp_path / name / 'log.lammps'}")
        assert running.endswith(f"progress in {tmp_path / name / 'log.lammps'}")
        assert finished_job.startswith(f"{tmp_path / name}: finished in")
        iterations = int(read_key_values(tmp_path / name / "minimization.txt")["iterations"])
        assert ended.startswith(f"minimisation {number}/2 ({name}): force tolerance, "
                                f"{iterations} iterations, ")
        assert f"energy {records[name]['potential_energy']:.8g} eV" in ended
        header, rows = minimisation_table(tmp_path / name / "log.lammps")
        assert header == ["Step", "PotEng", "Fnorm", "Fmax", "CPU"]
        assert [int(row[0]) for row in rows] == [
            *range(0, iterations, MINIMISATION_THERMO_EVERY), iterations]
        assert iterations > MINIMISATION_THERMO_EVERY and np.all(np.diff(rows[:, 4]) >= 0)


def minimisation_table(log: Path) -> tuple[list[str], np.ndarray]:
    """The header and rows of the thermo table of the minimisation in a LAMMPS log."""
    lines = log.read_text().splitlines()
    start = max(k for k, line in enumerate(lines) if line.split()[:1] == ["Step"])
    end = next(k for k in range(start, len(lines)) if lines[k].startswith("Loop time"))
    return lines[start].split(), np.array([line.split() for line in lines[start + 1:end]],
                                          dtype=float)


def test_progress_lines_keep_their_pace_and_estimate_the_time_left(job_log):
    """Lines while a task runs at most every ``every`` seconds; the time left is the mean
    time of the tasks ended times those left."""
    progress = Progress(logging.getLogger("mgrelax.test"), "task", 3, done=1, every=3600.0)
    progress.start("second")
    progress.update(lambda: pytest.fail("described before its time"))
    time.sleep(0.2)
    progress.finish("(second): done")
    line = job_log.read_text().splitlines()[-1].split(": ", 1)[1]
    took, left = map(float, re.search(r"took (\S+) s, .* about (\S+) s left", line).groups())
    assert line.startswith("task 2/3 (second): done; took ") and left == pytest.approx(took,
                                                                                        abs=0.1)
    assert [duration(s) for s in (59.94, 150.0, 9000.0)] == ["59.9 s", "2.5 min", "2.5 h"]
