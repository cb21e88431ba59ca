"""Checkpointed LAMMPS jobs: errors, complete-or-nothing outputs, resume after a kill."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from mgrelax.config import validate_config
from mgrelax.glass import melt_job
from mgrelax.jobs import CHECKPOINT_FILES, LammpsError, run_job
from mgrelax.lammps_io import read_series
from mgrelax.launch import LaunchSettings
from mgrelax.potentials import load_catalogue


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


def kill_once_written(directory, names, tiny_config_path):
    """Start the long melt in a subprocess and SIGKILL it once all ``names`` exist."""
    script = KILLED_RUN.format(tests=os.path.dirname(__file__), config=str(tiny_config_path),
                               directory=str(directory))
    process = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.time() + 120
    while not all((directory / name).exists() for name in names):
        assert time.time() < deadline and process.poll() is None, "no checkpoints were written"
        time.sleep(0.2)
    time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_killed_run_resumes_from_its_last_checkpoint(tiny_config, tmp_path):
    from conftest import TINY_CONFIG

    directory = tmp_path / "melt"
    kill_once_written(directory, CHECKPOINT_FILES, TINY_CONFIG)
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
    assert not any((directory / name).exists() for name in CHECKPOINT_FILES)
    assert json.loads((directory / "provenance.json").read_text())["start"] == record["start"]


def test_unreadable_newest_checkpoint_falls_back_to_the_older_one(tiny_config, tmp_path):
    from conftest import TINY_CONFIG

    directory = tmp_path / "melt"
    kill_once_written(directory, CHECKPOINT_FILES[:1], TINY_CONFIG)
    newest = directory / CHECKPOINT_FILES[1]
    newest.write_bytes(b"a checkpoint cut short by the kill")
    os.utime(newest, (time.time() + 10, time.time() + 10))

    record = run_job(long_melt(tiny_config, directory), LaunchSettings())

    assert record["start"].startswith("resumed from checkpoint.a.restart at step ")
