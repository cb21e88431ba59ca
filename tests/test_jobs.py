"""Checkpointed LAMMPS jobs: errors, complete-or-nothing outputs, resume after a kill."""

import json
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from mgrelax.config import validate_config
from mgrelax.glass.jobs import melt_job, quench_job
from mgrelax.jobs import (CHECKPOINT_FILES, JobFolderBusy, LammpsError, changed_outputs,
                          run_job)
from mgrelax.lammps_io import read_series
from mgrelax.launch import LaunchSettings
from mgrelax.potentials import load_catalogue

from conftest import TINY_CONFIG, kill_once_written


def long_melt(tiny_config, directory, steps=6000, checkpoint_steps=500):
    config = validate_config({**tiny_config, "n_atoms": 200,
                              "melt": {"duration": steps * 0.002},
                              "checkpoint_interval": checkpoint_steps * 0.002})
    model = load_catalogue()[config["model"]]
    return melt_job(config, model, 0, directory)


def test_a_failed_run_leaves_no_output_and_reports_lammps_error(tiny_config, tmp_path):
    job = long_melt(tiny_config, tmp_path)
    job.values["model"]["pair_style"] = "eam/nonsense"
    with pytest.raises(LammpsError, match="ERROR: Unrecognized pair style 'eam/nonsense'"):
        run_job(job, LaunchSettings())
    assert not (tmp_path / "liquid.data").exists()
    assert not (tmp_path / "provenance.json").exists()


KILLED_RUN = textwrap.dedent("""
    import sys, yaml
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from test_jobs import long_melt
    from mgrelax.jobs import run_job
    from mgrelax.launch import LaunchSettings
    config = yaml.safe_load(Path({config!r}).read_text())
    run_job(long_melt(config, Path({directory!r})), LaunchSettings())
""")


def kill_long_melt(directory, names):
    code = KILLED_RUN.format(tests=os.path.dirname(__file__), config=str(TINY_CONFIG),
                             directory=str(directory))
    kill_once_written(code, directory, names)


KILLED_QUENCH = textwrap.dedent("""
    from pathlib import Path
    from mgrelax.glass.jobs import quench_job
    from mgrelax.jobs import run_job
    from mgrelax.launch import LaunchSettings
    from mgrelax.potentials import load_catalogue
    config = {config!r}
    run_job(quench_job(config, load_catalogue()[config["model"]], Path({directory!r}),
                       Path({liquid!r})), LaunchSettings())
""")


def kill_quench(config, directory, liquid):
    """Quench ``liquid`` with the validated ``config`` in a process killed at its checkpoints."""
    code = KILLED_QUENCH.format(config=config, directory=str(directory), liquid=str(liquid))
    kill_once_written(code, directory, CHECKPOINT_FILES)


def test_killed_run_resumes_from_its_last_checkpoint(tiny_config, tmp_path):
    directory = tmp_path / "melt"
    kill_long_melt(directory, CHECKPOINT_FILES)
    assert not (directory / "liquid.data").exists(), "a killed run must not publish outputs"

    record = run_job(long_melt(tiny_config, directory), LaunchSettings())

    assert record["start"].startswith("resumed from checkpoint.")
    resumed_at = int(record["start"].split()[-1])
    assert 500 <= resumed_at < 6000 and resumed_at % 500 == 0
    log = (directory / "log.lammps").read_text()
    assert "read_restart    checkpoint." in log
    assert f"for {6000 - resumed_at} steps" in log
    assert (directory / "log.lammps.1").exists()
    series = read_series(directory / "series.dat", ("msd",))
    assert series["step"].is_unique and series["step"].iloc[-1] == 6000
    assert series["step"].diff().dropna().eq(50).all(), "the series has a gap or overlap"
    # simulated time runs on through the resume (50 steps of 2 fs per row)
    np.testing.assert_allclose(series["time"].diff().dropna(), 0.1, rtol=1e-9)
    assert not any((directory / name).exists() for name in CHECKPOINT_FILES)
    assert json.loads((directory / "provenance.json").read_text())["start"] == record["start"]


def test_unreadable_newest_checkpoint_falls_back_to_the_older_one(tiny_config, tmp_path):
    directory = tmp_path / "melt"
    kill_long_melt(directory, CHECKPOINT_FILES[:1])
    newest = directory / CHECKPOINT_FILES[1]
    newest.write_bytes(b"a checkpoint cut short by the kill")
    os.utime(newest, (time.time() + 10, time.time() + 10))

    record = run_job(long_melt(tiny_config, directory), LaunchSettings())

    assert record["start"].startswith("resumed from checkpoint.a.restart at step ")


def test_a_checkpoint_of_other_settings_is_discarded(tiny_config, tmp_path):
    directory = tmp_path / "melt"
    kill_long_melt(directory, CHECKPOINT_FILES)
    job = long_melt(tiny_config, directory)
    job.values["temperature"] += 100.0  # the killed run held the liquid at another temperature

    record = run_job(job, LaunchSettings())

    assert record["start"] == ("fresh start (checkpoint of another run discarded: "
                               "the input script changed)")
    series = read_series(directory / "series.dat", ("msd",))
    np.testing.assert_array_equal(series["step"], np.arange(50, 6001, 50))  # nothing kept


def test_a_checkpoint_of_another_input_file_is_discarded(tiny_config, tmp_path):
    """The same input script on a changed input file (a glass from other settings)."""
    melt = tmp_path / "melt"
    run_job(long_melt(tiny_config, melt, steps=200), LaunchSettings())
    config = validate_config({**tiny_config, "n_atoms": 200, "checkpoint_interval": 0.2})
    model = load_catalogue()[config["model"]]
    directory = tmp_path / "quench"
    kill_quench(config, directory, melt / "liquid.data")
    rerun = long_melt(tiny_config, melt, steps=300)  # the liquid changes
    run_job(rerun, LaunchSettings())

    record = run_job(quench_job(config, model, directory, melt / "liquid.data"),
                     LaunchSettings())

    assert record["start"] == ("fresh start (checkpoint of another run discarded: "
                               "input file ../melt/liquid.data changed)")


def test_a_killed_rerun_leaves_nothing_of_the_earlier_run(tiny_config, tmp_path):
    directory = tmp_path / "melt"
    run_job(long_melt(tiny_config, directory, steps=600), LaunchSettings())
    (directory / "displacement.json").write_text("{}")  # a result derived from this run
    (directory / "inherent_start").mkdir()

    kill_long_melt(directory, CHECKPOINT_FILES)  # a rerun with other settings, killed

    left = {path.name for path in directory.iterdir()}
    assert not left & {"provenance.json", "liquid.data", "series.dat", "displacement.json",
                       "inherent_start"}
    assert {"series.dat.partial", "log.lammps.1", *CHECKPOINT_FILES} <= left


HOLD_FOLDER = textwrap.dedent("""
    import sys, time
    from mgrelax.jobs import job_folder_lock
    with job_folder_lock(sys.argv[1]):
        print("held", flush=True)
        time.sleep(60)
""")


def test_a_second_process_on_a_job_folder_stops_at_once(tiny_config, tmp_path):
    directory = tmp_path / "melt"
    run_job(long_melt(tiny_config, directory, steps=200), LaunchSettings())
    published = (directory / "liquid.data").read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_FOLDER, str(directory)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        began = time.time()
        with pytest.raises(JobFolderBusy, match=rf"{directory}: this job folder is in use by "
                                                rf"pid {holder.pid} on "):
            run_job(long_melt(tiny_config, directory, steps=400), LaunchSettings())
        assert time.time() - began < 5
        assert (directory / "liquid.data").read_bytes() == published
    finally:
        holder.kill()
        holder.wait()
    record = run_job(long_melt(tiny_config, directory, steps=400), LaunchSettings())
    assert record["start"] == "fresh start"  # the lock went with the holder


def test_changed_outputs_finds_a_result_cut_short_behind_its_old_mtime(tiny_config, tmp_path):
    directory = tmp_path / "melt"
    run_job(long_melt(tiny_config, directory, steps=200), LaunchSettings())
    assert changed_outputs(directory) == []
    series = directory / "series.dat"
    stamp = series.stat()
    series.write_text(series.read_text()[:-40])
    os.utime(series, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    (directory / "liquid.data").unlink()

    assert changed_outputs(directory) == [f"{directory / 'liquid.data'}: missing",
                                          f"{series}: changed since the run (SHA-256 differs)"]


def series_rows(path):
    """The data rows of a series file (comments dropped) as lists of their words."""
    return [line.split() for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def test_a_resumed_quench_repeats_the_rows_before_its_checkpoint_and_agrees_after(
        tiny_config, tmp_path):
    """What a resume reproduces (README, 'Long runs'): the rows up to the checkpoint are
    the uninterrupted run's, byte for byte; after it the trajectory diverges (LAMMPS
    rebuilds neighbour lists on restart) and T agrees within its statistical error
    (blocks of 10 rows, 4 standard errors), E_pot and V too while the liquid is
    ergodic (thermostat target above 1200 K; below Tg, about 840 K here, two trajectories
    freeze into different glasses, whose E_pot differed by 4 eV of 250 atoms in a run
    with the melt box changed in its last bit)."""
    config = validate_config({**tiny_config, "samples": 1})
    model = load_catalogue()[config["model"]]
    liquid = tmp_path / "melt" / "liquid.data"
    run_job(melt_job(config, model, 0, tmp_path / "melt"), LaunchSettings())
    run_job(quench_job(config, model, tmp_path / "uninterrupted", liquid), LaunchSettings())
    kill_quench(config, tmp_path / "resumed", liquid)
    record = run_job(quench_job(config, model, tmp_path / "resumed", liquid), LaunchSettings())
    resumed_at = int(record["start"].split()[-1])

    rows = {name: series_rows(tmp_path / name / "series.dat")
            for name in ("uninterrupted", "resumed")}
    before = [[row for row in rows[name] if int(row[0]) <= resumed_at] for name in rows]
    assert before[0] == before[1] and len(before[0]) >= 10
    table = {name: np.array(rows[name], dtype=float) for name in rows}
    after = table["resumed"][:, 0] > resumed_at
    np.testing.assert_array_equal(table["resumed"][:, 0], table["uninterrupted"][:, 0])
    liquid = table["uninterrupted"][:, 2] > 1200.0  # thermostat target (K)
    for column, rows in ((3, after), (5, after & liquid), (6, after & liquid)):  # T, V, E_pot
        difference = table["resumed"][rows, column] - table["uninterrupted"][rows, column]
        assert np.any(difference != 0), "the trajectories should diverge after a restart"
        blocks = difference[:difference.size // 10 * 10].reshape(-1, 10).mean(axis=1)
        standard_error = blocks.std(ddof=1) / np.sqrt(blocks.size)
        assert abs(difference.mean()) < 4 * standard_error, column


def test_a_run_killed_while_it_published_resumes_its_whole_series(tiny_config, tmp_path):
    directory = tmp_path / "melt"
    kill_long_melt(directory, CHECKPOINT_FILES)
    os.replace(directory / "series.dat.partial", directory / "series.dat")  # moved, then killed

    record = run_job(long_melt(tiny_config, directory), LaunchSettings())

    assert record["start"].startswith("resumed from checkpoint.")
    series = read_series(directory / "series.dat", ("msd",))
    np.testing.assert_array_equal(series["step"], np.arange(50, 6001, 50))
