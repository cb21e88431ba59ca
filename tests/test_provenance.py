"""Provenance records say what made a result."""

from pathlib import Path

import pytest

from mgrelax.config import model_of, validate_config
from mgrelax.launch import LaunchSettings
from mgrelax.potentials import sha256_of, resolve_potential_file
from mgrelax.provenance import (provenance, provenance_files, provenance_table,
                                 workflow_version)

REPO = Path(__file__).resolve().parent.parent


def test_record_names_build_launch_potential_seeds_and_config(tiny_config, monkeypatch):
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    config = validate_config(tiny_config)
    model = model_of(config)
    launch = LaunchSettings(ranks=2, accelerator="omp", threads_per_rank=2)
    record = provenance(config, model, launch, {"velocity": 7})
    assert record["lammps"]["version"] == "20250722"
    assert "OPENMP" in record["lammps"]["packages"]
    assert (record["accelerator"], record["mpi_ranks"], record["threads_per_rank"]) == \
        ("omp", 2, 2)
    assert record["potential"]["sha256"] == sha256_of(resolve_potential_file(model))
    assert record["potential"]["citation"].startswith("M. I. Mendelev")
    assert record["seeds"] == {"velocity": 7} and record["config"] is config
    assert record["scheduler"] is None


def test_record_names_the_slurm_job(tiny_config, monkeypatch):
    monkeypatch.setenv("SLURM_JOB_ID", "4711")
    monkeypatch.setenv("SLURM_CLUSTER_NAME", "hpc")
    config = validate_config(tiny_config)
    record = provenance(config, model_of(config), LaunchSettings(), {})
    assert record["scheduler"] == {"scheduler": "slurm", "job_id": "4711", "cluster": "hpc"}


@pytest.mark.skipif(not (REPO / ".git").exists(), reason="not a git checkout")
def test_workflow_version_carries_the_git_commit():
    version = workflow_version()
    assert version.startswith("0.1.0+")
    assert len(version.split("+")[1].split("-")[0]) >= 7


def test_a_campaign_lists_its_own_runs_not_those_of_a_campaign_below_it(tmp_path):
    """results/validation/<name> holds another campaign: the default's table and check
    leave its runs out."""
    own = tmp_path / "glass" / "sample0" / "melt"
    nested = tmp_path / "validation" / "cuzr" / "glass" / "sample0" / "melt"
    for run in (own, nested):
        run.mkdir(parents=True)
        (run / "provenance.json").write_text('{"template": "melt.lammps"}')
    assert provenance_files(tmp_path) == [own / "provenance.json"]
    assert list(provenance_table(tmp_path)["run"]) == ["glass/sample0/melt"]
    assert provenance_files(tmp_path / "validation" / "cuzr") == [nested / "provenance.json"]
