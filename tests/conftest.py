"""Shared fixtures: the tiny test config and helpers that run real LAMMPS and Snakemake."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
TINY_CONFIG = REPO / ".test" / "config" / "config.yaml"


@pytest.fixture
def tiny_config() -> dict:
    """The tiny config as a plain dict (not yet validated)."""
    return yaml.safe_load(TINY_CONFIG.read_text())


def run_snakemake(workdir: Path, *arguments: str, configfile: Path = TINY_CONFIG,
                  timeout: float = 900) -> subprocess.CompletedProcess:
    """Run the real workflow in ``workdir`` with the given config file."""
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
               "--directory", str(workdir), "--configfile", str(configfile), "--cores", "2",
               *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def tiny_campaign(tmp_path_factory) -> Path:
    """The working folder of the tiny campaign, run once per session: every stage, the
    figures of every run and the validation table."""
    work = tmp_path_factory.mktemp("workflow")
    result = run_snakemake(work, "all", "run_figures", "validation")
    assert result.returncode == 0, result.stderr[-3000:]
    return work


def kill_once_written(code: str, directory: Path, names, timeout: float = 120) -> None:
    """Run ``python -c code`` and SIGKILL it once all files ``names`` exist in ``directory``."""
    process = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.time() + timeout
    while not all((Path(directory) / name).exists() for name in names):
        assert time.time() < deadline and process.poll() is None, f"{names} were not written"
        time.sleep(0.2)
    time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    process.wait()
