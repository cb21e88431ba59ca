"""What an external LAMMPS build can run, read from the build itself before any job.

``lmp -h`` lists the version, the installed packages, the MPI library and every
style; two keywords the templates rely on (``create_atoms random ... overlap maxtry``
of the melt, ``fix ave/time ... append`` of every recorded series) arrived after the
2021 releases that distributions still ship, so a three-line input probes each.
``stage_requirements`` says what each stage needs and ``missing_for_stage`` what a
build lacks of it; mgrelax.config refuses, with one line, a stage whose build lacks
something, before any simulation starts.
"""

from __future__ import annotations

import functools
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mgrelax.launch import LaunchSettings, run_environment
from mgrelax.potentials import Model

PROBE_TIMEOUT_S = 60
MPI_FAMILIES = {"Open MPI": "Open MPI", "MPICH": "MPICH", "HYDRA": "MPICH",
                "Intel(R) MPI": "MPICH"}
"""Words in ``lmp -h`` or ``mpirun --version`` and the MPI family (ABI) they name; Intel
MPI speaks MPICH's ABI."""

KEYWORD_PROBES = {
    "create_atoms random ... overlap maxtry (the melt)":
        ("create_atoms 1 random 2 12345 NULL overlap 0.5 maxtry 10", ("glass",)),
    "fix ave/time ... append (recorded series)":
        ("fix record all ave/time 1 1 1 v_one append probe.dat", ("glass", "dms")),
}
"""Template keywords an older LAMMPS lacks: what they are for, a line that uses them
(after the lines of KEYWORD_PROBE_SETUP) and the stages whose templates use them."""
KEYWORD_PROBE_SETUP = ("units lj\nregion box block 0 4 0 4 0 4\ncreate_box 1 box\n"
                       "mass 1 1.0\nvariable one equal 1\n")

ACCELERATOR_PACKAGES = {"omp": ("OPENMP", "omp"), "gpu": ("GPU", "gpu"),
                        "kokkos": ("KOKKOS", "kk")}
"""accelerator: (package, style suffix): the package must be installed and the model's
pair style must exist with the suffix."""


@dataclass(frozen=True)
class LammpsBuild:
    """An external LAMMPS binary as ``lmp -h`` and the keyword probes describe it.

    version : LAMMPS's own version line (e.g. "29 Sep 2021 - Update 2").
    packages : installed packages; styles : {category: names} ("pair", "fix", "command"...).
    mpi : the MPI library line (e.g. "MPI v3.1: Open MPI v4.1.4"); mpi_family : "Open MPI",
        "MPICH" or "" (not recognised, or a build without MPI).
    missing_keywords : the KEYWORD_PROBES this build refuses.
    """

    source: str
    version: str
    packages: tuple[str, ...]
    styles: dict
    mpi: str
    mpi_family: str
    missing_keywords: tuple[str, ...]

    def record(self) -> dict:
        """The build for provenance (the style lists left out)."""
        return {"version": self.version, "packages": list(self.packages), "source": self.source,
                "mpi": self.mpi, "missing_keywords": list(self.missing_keywords)}


@functools.cache
def probe_executable(executable: str) -> LammpsBuild:
    """Read the build of ``executable`` (an absolute path) once per process."""
    help_text = _run([executable, "-h"], executable).stdout
    version = re.search(r"Simulator - (.+)$", help_text, re.MULTILINE)
    packages = re.search(r"Installed packages:\s*\n(.*?)\n\s*\n", help_text, re.DOTALL)
    mpi = re.search(r"^(MPI v.*)$", help_text, re.MULTILINE)
    mpi_line = mpi.group(1).strip() if mpi else ""
    return LammpsBuild(
        source=executable, version=version.group(1).strip() if version else "unknown",
        packages=tuple(packages.group(1).split()) if packages else (),
        styles=_styles(help_text), mpi=mpi_line, mpi_family=mpi_family(mpi_line),
        missing_keywords=tuple(name for name, (line, _) in KEYWORD_PROBES.items()
                               if not _accepts(executable, line)))


def mpi_family(text: str) -> str:
    """The MPI family a version text names ("" if none)."""
    return next((family for word, family in MPI_FAMILIES.items() if word in text), "")


def stage_requirements(stage: str, model: Model, launch: LaunchSettings) -> list[tuple]:
    """What a stage's runs need of a build: (category, style) pairs of ``lmp -h``'s lists
    and ("package", name) pairs; the model's pair style with the accelerator's suffix."""
    needs = [("pair", model.pair_style)]
    if launch.accelerator in ACCELERATOR_PACKAGES:
        package, suffix = ACCELERATOR_PACKAGES[launch.accelerator]
        needs += [("package", package), ("pair", f"{model.pair_style}/{suffix}")]
    if stage == "metad":
        needs.append(("fix", "colvars"))
    if stage == "art":
        needs += [("command", "neb"), ("fix", "neb")]
    return needs


def missing_for_stage(build: LammpsBuild, stage: str, model: Model,
                      launch: LaunchSettings) -> list[str]:
    """What ``build`` lacks for ``stage``: styles, packages and template keywords."""
    missing = [f"{category} style {name}" if category != "package" else f"package {name}"
               for category, name in stage_requirements(stage, model, launch)
               if not _has(build, category, name)]
    return missing + [keyword for keyword in build.missing_keywords
                      if stage in KEYWORD_PROBES[keyword][1]]


def _has(build: LammpsBuild, category: str, name: str) -> bool:
    if category == "package":
        return name in build.packages
    return name in build.styles.get(category, ())


def _styles(help_text: str) -> dict:
    """{category: style names} from the '* Pair styles:' ... sections of ``lmp -h``."""
    styles = {}
    for match in re.finditer(r"^\* (\w+) styles:?\s*\n(.*?)(?=^\* |\Z)", help_text,
                             re.MULTILINE | re.DOTALL):
        styles[match.group(1).lower()] = tuple(match.group(2).split())
    return styles


def _accepts(executable: str, line: str) -> bool:
    """Whether the build runs KEYWORD_PROBE_SETUP followed by ``line`` without error."""
    with tempfile.TemporaryDirectory(prefix="lammps_probe_") as folder:
        Path(folder, "in.probe").write_text(KEYWORD_PROBE_SETUP + line + "\nrun 0\n")
        result = _run([executable, "-in", "in.probe", "-log", "none", "-screen", "none"],
                      executable, cwd=folder)
    return result.returncode == 0


def _run(command: list[str], executable: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd,
                          env=run_environment(LaunchSettings(engine="executable",
                                                             executable=executable)),
                          timeout=PROBE_TIMEOUT_S)
