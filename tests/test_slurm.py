"""The SLURM profile on a real one-node SLURM cluster (tools/local_slurm.py).

A tiny campaign (melt and quench on 2 MPI ranks each, then the Tg fit) goes through
workflow/profiles/slurm; the quench's SLURM job is cancelled once it has written a
checkpoint, as a preemption or the wall-time limit would stop it, and the retry
must resume from that checkpoint: identical to a local run up to the checkpoint,
and the uninterrupted melt identical throughout. Skipped, with the reason, where the cluster
cannot be started (not root, no SLURM packages and no apt-get).
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import REPO, TINY_CONFIG, run_snakemake

LOCAL_SLURM = REPO / "tools" / "local_slurm.py"
CANNOT_RUN = 77
GLASS = Path("results/glass/sample0")
TARGET = GLASS / "glass_transition.json"
CAMPAIGN_TIMEOUT_S = 900


def slurm(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True,
                          timeout=60).stdout


@pytest.fixture(scope="module")
def slurm_cluster():
    started = subprocess.run([sys.executable, str(LOCAL_SLURM), "up", "--install"],
                             capture_output=True, text=True, timeout=900)
    if started.returncode == CANNOT_RUN:
        pytest.skip(started.stderr.strip())
    assert started.returncode == 0, started.stderr
    yield
    subprocess.run([sys.executable, str(LOCAL_SLURM), "down"], timeout=120)


def campaign_config(folder: Path, mpi_launcher: str) -> Path:
    """The tiny config for one sample, the glass stage on 2 MPI ranks."""
    config = yaml.safe_load(TINY_CONFIG.read_text())
    config["samples"] = config["metad"]["samples"] = 1
    config["stages"] = {"glass": {"lammps": {"ranks": 2, "mpi_launcher": mpi_launcher},
                                  "resources": {"runtime": 10, "mem_mb": 1000}}}
    path = folder / f"campaign_{mpi_launcher}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="module")
def slurm_run(slurm_cluster, tmp_path_factory):
    """The campaign through the SLURM profile (ranks started by srun), its quench job
    cancelled once."""
    work = tmp_path_factory.mktemp("slurm_run")
    log = work / "snakemake.out"
    config = campaign_config(work, mpi_launcher="srun")
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
               "--directory", str(work), "--configfile", str(config),
               "--workflow-profile", str(REPO / "workflow" / "profiles" / "slurm"),
               "--slurm-status-command", "squeue",  # no accounting database here
               "--slurm-init-seconds-before-status-checks", "2",
               "--seconds-between-status-checks", "2", "--", str(TARGET)]
    with open(log, "w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        try:
            cancelled = cancel_once_checkpointed(work / GLASS / "quench", process)
            process.wait(timeout=CAMPAIGN_TIMEOUT_S)
        finally:
            if process.poll() is None:
                process.kill()
                subprocess.run(["scancel", "--user", "root"], timeout=60)
    assert process.returncode == 0, log.read_text()[-4000:]
    return work, cancelled, log.read_text()


def cancel_once_checkpointed(quench: Path, process: subprocess.Popen) -> str:
    """Cancel the quench's SLURM job once its first checkpoint exists; its job id."""
    deadline = time.monotonic() + CAMPAIGN_TIMEOUT_S
    while not (quench / "checkpoint.a.restart").exists():
        assert process.poll() is None and time.monotonic() < deadline, "no quench checkpoint"
        time.sleep(0.2)
    running = slurm("squeue", "--noheader", "--states=RUNNING", "--format=%i").split()
    assert len(running) == 1, running
    slurm("scancel", running[0])
    return running[0]


def provenance(work: Path, step: str) -> dict:
    return json.loads((work / GLASS / step / "provenance.json").read_text())


def test_every_job_ran_under_its_own_slurm_job(slurm_run):
    work, cancelled, log = slurm_run
    submitted = log.count("has been submitted with SLURM jobid")
    assert submitted == 4  # melt, quench, quench again, Tg fit
    states = dict(line.split() for line in
                  slurm("squeue", "--noheader", "--states=all", "--format=%i %T").splitlines())
    assert states.pop(cancelled) == "CANCELLED"
    assert list(states.values()) == ["COMPLETED"] * 3
    job_ids = {provenance(work, step)["scheduler"]["job_id"] for step in ("melt", "quench")}
    assert len(job_ids) == 2 and job_ids <= set(states)
    assert (work / TARGET).is_file()


def test_mpi_jobs_got_their_two_ranks_from_srun(slurm_run):
    work, _, _ = slurm_run
    for step in ("melt", "quench"):
        record = provenance(work, step)
        assert record["mpi_ranks"] == 2 and record["command"][:3] == ["srun", "--ntasks", "2"]
        assert "on 2 procs" in (work / GLASS / step / "log.lammps").read_text()


def test_cancelled_job_resumed_from_its_checkpoint(slurm_run):
    work, _, _ = slurm_run
    assert provenance(work, "quench")["start"].startswith("resumed from checkpoint")
    assert (work / GLASS / "quench" / "log.lammps.1").exists()  # the cancelled attempt's
    steps = [int(line.split()[0]) for line in (work / GLASS / "quench" / "series.dat")
             .read_text().splitlines() if line and not line.startswith("#")]
    assert steps == sorted(set(steps))  # rows after the checkpoint were not repeated


def data_rows(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def test_results_equal_a_local_run_where_no_run_was_interrupted(slurm_run, tmp_path):
    """Same seeds and two ranks (here started by mpirun): LAMMPS is deterministic, so
    the melt's files are identical; the quench, cancelled and resumed under SLURM,
    has the local run's rows up to its checkpoint and diverges after it (README,
    'Long runs'; tests/test_jobs.py checks the statistical agreement after it)."""
    work, _, _ = slurm_run
    quench = GLASS / "quench"
    local = run_snakemake(tmp_path, "--", str(quench / "quenched.data"),
                          configfile=campaign_config(tmp_path, mpi_launcher="mpirun"))
    assert local.returncode == 0, local.stderr[-3000:]
    for melt_file in ("liquid.data", "series.dat"):
        path = GLASS / "melt" / melt_file
        assert (tmp_path / path).read_bytes() == (work / path).read_bytes()
    resumed_at = int(provenance(work, "quench")["start"].split()[-1])
    rows = [data_rows(folder / quench / "series.dat") for folder in (work, tmp_path)]
    before = [[row for row in table if int(row.split()[0]) <= resumed_at] for table in rows]
    assert before[0] == before[1] and before[0]
    assert [row.split()[0] for row in rows[0]] == [row.split()[0] for row in rows[1]]
