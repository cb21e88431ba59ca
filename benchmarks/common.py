"""Shared by the benchmarks: the benchmark configuration, a melted liquid, an NVT job
every build runs, a work folder, and the 'Loop time' figures that LAMMPS writes to its
log."""

from __future__ import annotations

import contextlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from mgrelax.config import model_of, validate_config
from mgrelax.glass.jobs import melt_job
from mgrelax.jobs import LammpsJob, run_job
from mgrelax.launch import LaunchSettings
from mgrelax.plan import lammps_timestep
from mgrelax.potentials import Model
from mgrelax.scattering.jobs import scattering_job

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "config.yaml"
LOOP_TIME = re.compile(r"^Loop time of (\S+) on (\d+) procs for (\d+) steps with (\d+) atoms",
                       re.MULTILINE)


def benchmark_config(path: Path, n_atoms: int, quench_steps: int, melt_ps: float,
                     composition: dict | None = None) -> tuple[dict, Model]:
    """The config file with n_atoms, a short melt and a quench of ``quench_steps`` steps."""
    config = yaml.safe_load(Path(path).read_text())
    config["n_atoms"] = n_atoms
    config.setdefault("melt", {})["duration"] = melt_ps
    if composition is not None:
        config["composition"] = composition
    config = validate_config(config)
    model = model_of(config)
    config["quench"]["cooling_rate"] = cooling_rate_for(quench_steps, config, model)
    return validate_config(config), model


def cooling_rate_for(steps: int, config: dict, model: Model) -> float:
    """Cooling rate (config units) at which the quench takes ``steps`` time steps."""
    drop = config["melt"]["temperature"] - config["quench"]["temperature_end"]
    duration = steps * lammps_timestep(config, model)
    return drop / (duration * model.units.cooling_rate_to_lammps)


def melt_liquid(config: dict, model: Model, directory: Path) -> Path:
    """Run the melt job (one rank, in this process); return its liquid data file."""
    job = melt_job(config, model, 0, directory)
    run_job(job, LaunchSettings())
    return Path(directory) / job.outputs["data"]


def nvt_job(config: dict, model: Model, steps: int, directory: Path,
            liquid: Path) -> LammpsJob:
    """``steps`` NVT time steps of ``liquid`` at the melt temperature with two snapshots:
    the workflow's F_s job (mgrelax.scattering.jobs.scattering_job), an input that every
    LAMMPS build runs, Debian's 2021 one included (it cannot run the quench)."""
    settings = {**config, "intermediate_scattering": {
        "duration": steps * lammps_timestep(config, model), "frames": 2}}
    return scattering_job(settings, model, config["melt"]["temperature"], directory, liquid)


@contextlib.contextmanager
def work_folder(path: str | None):
    """The given folder (which must be new or empty), else a temporary one removed after."""
    if path is None:
        with tempfile.TemporaryDirectory(prefix="mgrelax-bench-") as temporary:
            yield Path(temporary)
        return
    folder = Path(path)
    if folder.exists() and any(folder.iterdir()):
        raise SystemExit(f"--workdir {folder}: not empty; every run must start fresh")
    folder.mkdir(parents=True, exist_ok=True)
    yield folder


@dataclass(frozen=True)
class Loop:
    """LAMMPS's own timing of a log: seconds and steps summed over its runs."""

    seconds: float
    steps: int
    procs: int
    atoms: int

    @property
    def rate(self) -> float:
        """Timesteps per second."""
        return self.steps / self.seconds


def loop_figures(log: Path, atoms: int) -> Loop:
    """The 'Loop time' lines of a log, summed; RuntimeError unless they show ``atoms`` atoms."""
    matches = LOOP_TIME.findall(Path(log).read_text())
    if not matches:
        raise RuntimeError(f"{log}: no 'Loop time' line")
    loop = Loop(seconds=sum(float(match[0]) for match in matches),
                steps=sum(int(match[2]) for match in matches),
                procs=int(matches[-1][1]), atoms=int(matches[-1][3]))
    if loop.atoms != atoms:
        raise RuntimeError(f"{log}: LAMMPS ran {loop.atoms} atoms, not {atoms} "
                           "(the melt could not place them all)")
    return loop
