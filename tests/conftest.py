"""Shared fixtures: the tiny test config and helpers that run real LAMMPS and Snakemake."""

import subprocess
import sys
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
