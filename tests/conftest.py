"""Shared fixtures: the tiny test config and helpers that run real LAMMPS and Snakemake."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
TINY_CONFIG = REPO / "tests" / "configs" / "tiny.yaml"


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
