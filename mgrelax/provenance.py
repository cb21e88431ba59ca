"""What made a result: LAMMPS build, launch, workflow version, config, seeds, potential."""

from __future__ import annotations

import functools
import json
import os
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

import mgrelax
from mgrelax.jobs import PROVENANCE_FILE, changed_outputs
from mgrelax.lammps_build import probe_executable
from mgrelax.launch import LaunchSettings, lammps_instance
from mgrelax.plan import STAGE_FOLDERS
from mgrelax.potentials import Model, resolve_potential_file, sha256_of

REPO_ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def workflow_version() -> str:
    """Package version plus the git commit (and '-dirty') when run from a checkout."""
    try:
        described = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "describe", "--always", "--dirty"],
            capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return mgrelax.__version__
    commit = described.stdout.strip()
    return f"{mgrelax.__version__}+{commit}" if described.returncode == 0 and commit \
        else mgrelax.__version__


@functools.cache
def lammps_build(engine: str, executable: str) -> dict:
    """LAMMPS version and installed packages of the engine that runs the jobs (for an
    external build also its MPI and the template keywords it lacks)."""
    if engine == "python":
        lmp = lammps_instance(["-log", "none", "-screen", "none", "-nocite"])
        try:
            return {"version": str(lmp.version()), "packages": list(lmp.installed_packages),
                    "source": "lammps Python module"}
        finally:
            lmp.close()
    return probe_executable(executable).record()


def potential_record(model: Model) -> dict:
    path = resolve_potential_file(model)
    return {"model": model.name, "pair_style": model.pair_style, "citation": model.citation,
            "file": None if path is None else str(path),
            "sha256": None if path is None else sha256_of(path)}


def scheduler_record() -> dict | None:
    """The batch job this step runs in (SLURM), or None for a local run."""
    job_id = os.environ.get("SLURM_JOB_ID")
    if job_id is None:
        return None
    return {"scheduler": "slurm", "job_id": job_id,
            "cluster": os.environ.get("SLURM_CLUSTER_NAME")}


def provenance(config: dict, model: Model, launch: LaunchSettings, seeds: dict) -> dict:
    """Provenance record shared by every job of a run."""
    return {
        "workflow_version": workflow_version(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "host": platform.node(),
        "lammps": lammps_build(launch.engine, launch.executable),
        "accelerator": launch.accelerator,
        "mpi_ranks": launch.ranks,
        "threads_per_rank": launch.threads_per_rank,
        "gpus_per_node": launch.gpus_per_node,
        "scheduler": scheduler_record(),
        "potential": potential_record(model),
        "seeds": seeds,
        "config": config,
    }


PROVENANCE_COLUMNS = ["run", "template", "start", "lammps_version", "lammps_source",
                      "engine", "accelerator", "mpi_ranks", "threads_per_rank",
                      "gpus_per_node", "slurm_job_id", "host", "workflow_version", "model",
                      "potential_sha256", "seeds", "wall_time_s", "created"]


def provenance_files(results: Path) -> list[Path]:
    """The provenance.json of every LAMMPS run of the campaign whose results folder is
    ``results``: those in its stage folders (plan.STAGE_FOLDERS), not those of another
    campaign kept below it (results/validation/...)."""
    return sorted(path for stage in STAGE_FOLDERS
                  for path in (Path(results) / stage).rglob(PROVENANCE_FILE))


def provenance_table(results: Path) -> pd.DataFrame:
    """One row per LAMMPS run of the campaign in ``results`` (its provenance.json): what
    made it."""
    rows = []
    for path in provenance_files(results):
        record = json.loads(path.read_text())
        lammps, potential = record.get("lammps", {}), record.get("potential", {})
        rows.append({
            "run": str(path.parent.relative_to(results)),
            "template": record.get("template"), "start": record.get("start"),
            "lammps_version": lammps.get("version"), "lammps_source": lammps.get("source"),
            "engine": record.get("launch", {}).get("engine"),
            "accelerator": record.get("accelerator"), "mpi_ranks": record.get("mpi_ranks"),
            "threads_per_rank": record.get("threads_per_rank"),
            "gpus_per_node": record.get("gpus_per_node"),
            "slurm_job_id": (record.get("scheduler") or {}).get("job_id"),
            "host": record.get("host"), "workflow_version": record.get("workflow_version"),
            "model": potential.get("model"), "potential_sha256": potential.get("sha256"),
            "seeds": json.dumps(record.get("seeds", {}), sort_keys=True),
            "wall_time_s": record.get("wall_time_s"), "created": record.get("created")})
    return pd.DataFrame(rows, columns=PROVENANCE_COLUMNS)


def verify_results(results: Path) -> tuple[int, list[str]]:
    """Check every LAMMPS run of the campaign in ``results`` against the SHA-256 of its
    outputs in its provenance.json: the number of runs checked and one line per missing
    or changed file (and per run whose provenance has no checksums)."""
    checked, problems = 0, []
    for path in provenance_files(results):
        if "outputs_sha256" not in json.loads(path.read_text()):
            problems.append(f"{path.parent}: no output checksums in its provenance (an older run)")
            continue
        checked += 1
        problems += changed_outputs(path.parent)
    return checked, problems
