"""Checkpointed LAMMPS jobs: errors, complete-or-nothing outputs, resume after a kill."""

import json
import os
import textwrap
import time

import numpy as np
import pytest

from mgrelax.config import validate_config
from mgrelax.glass import melt_job
from mgrelax.jobs import CHECKPOINT_FILES, LammpsError, run_job
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
