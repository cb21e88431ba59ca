"""Climbing-image NEB through LAMMPS's neb command: a vacancy hop in an fcc crystal
(Cu with the eam/fs model, and the Lennard-Jones A particles in reduced units),
checked against single-point energies and forces computed apart from the NEB;
bad input, LAMMPS errors and a run stopped at its timeout."""

import ctypes
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from mgrelax.art.neb import RESULT_FILE, replica_file, run_neb
from mgrelax.jobs import LammpsError
from mgrelax.lammps_io import read_dump_frame
from mgrelax.launch import LaunchSettings, lammps_instance
from mgrelax.potentials import Model, load_catalogue, resolve_potential_file, template_values
from mgrelax.templates import render

CELLS = 4  # conventional fcc cells per edge: 256 sites, 255 atoms with the vacancy
CU, LJ = "CuZr_Mendelev2007", "KobAndersen_A80B20"
LATTICE = {CU: 3.639087,  # A: fcc Cu in the header of CuZr_mm.eam.fs
           LJ: 1.55}  # sigma: near the 0 K lattice constant of the cut, shifted LJ crystal
N_ATOMS = 4 * CELLS**3 - 1
NEB_TIMESTEP = {CU: 0.01, LJ: 0.05}  # ps, tau: ten MD steps
# Cu: an even number, so no replica starts at the saddle and one has to climb there;
# LJ: odd, one starts at the saddle (four replicas take 400 iterations here, 25 s)
REPLICAS = {CU: 4, LJ: 5}
FORCE_TOLERANCE = 0.01  # eV/A (sigma units for LJ)


@dataclass(frozen=True)
class Hop:
    """A nearest-neighbour vacancy hop between two relaxed minima (positions in id order)."""

    model: Model
    initial_data: Path
    initial: np.ndarray
    final: np.ndarray
    hopping: int  # row of the hopping atom
    initial_energy: float
    final_energy: float
    box_length: float


def lammps_session(model: Model):
    """A serial LAMMPS instance in the model's units (no box yet) that reports total
    energies (lj units normalise by the atom count by default)."""
    lmp = lammps_instance(["-log", "none", "-screen", "none", "-nocite"])
    lmp.commands_string(render("_header.lammps", {"units": model.units.lammps_style,
                                                  "timestep": 0.001}))
    lmp.command("thermo_modify norm no")
    return lmp


def potential_commands(model: Model) -> str:
    potential = resolve_potential_file(model)
    return render("_potential.lammps",
                  {"model": template_values(model, None if potential is None else str(potential))})


def gathered_positions(lmp) -> np.ndarray:
    return np.array(lmp.gather_atoms("x", 1, 3)).reshape(-1, 3)


def relax(lmp) -> tuple[float, np.ndarray]:
    lmp.commands_string("min_style cg\nminimize 0.0 1.0e-8 10000 100000")
    return lmp.get_thermo("pe"), gathered_positions(lmp)


def build_hop(directory: Path, name: str) -> Hop:
    """Relax the crystal with a vacancy at its centre, then with a nearest neighbour
    moved into it: the two minima of a hop that is symmetric about its midpoint."""
    model = load_catalogue()[name]
    a = LATTICE[name]
    centre = CELLS / 2 * a
    # the lattice command takes the lattice constant in metal units, the density in lj
    scale = a if model.units.lammps_style == "metal" else 4.0 / a**3
    lmp = lammps_session(model)
    lmp.commands_string(f"""
lattice         fcc {scale}
region          cell block 0 {CELLS} 0 {CELLS} 0 {CELLS}
create_box      {len(model.species)} cell
create_atoms    1 box
region          site sphere {centre} {centre} {centre} 0.01 units box
delete_atoms    region site compress yes
{potential_commands(model)}""")
    initial_energy, initial = relax(lmp)
    assert len(initial) == N_ATOMS
    initial_data = directory / "initial.data"
    lmp.command(f"write_data {initial_data} nocoeff")
    neighbour_site = centre + np.array([a / 2, a / 2, 0.0])
    hopping = int(np.argmin(np.linalg.norm(initial - neighbour_site, axis=1)))
    lmp.command(f"set atom {hopping + 1} x {centre} y {centre} z {centre}")
    final_energy, final = relax(lmp)
    lmp.close()
    return Hop(model, initial_data, initial, final, hopping, initial_energy, final_energy,
               CELLS * a)


def single_point(hop: Hop, positions: np.ndarray) -> tuple[float, float]:
    """Energy and force two-norm at ``positions`` (a LAMMPS ``run 0`` apart from the NEB)."""
    lmp = lammps_session(hop.model)
    lmp.commands_string(f"read_data {hop.initial_data}\n{potential_commands(hop.model)}")
    flat = np.ascontiguousarray(positions, dtype=float).ravel()
    lmp.scatter_atoms("x", 1, 3, (ctypes.c_double * flat.size)(*flat))
    lmp.command("run 0")
    energy, force = lmp.get_thermo("pe"), lmp.get_thermo("fnorm")
    lmp.close()
    return energy, force


def minimum_image(delta: np.ndarray, box_length: float) -> np.ndarray:
    return delta - box_length * np.round(delta / box_length)


@pytest.fixture(scope="module", params=[CU, LJ])
def hop_neb(request, tmp_path_factory):
    """The hop and its NEB result; the final positions handed over are unwrapped by
    whole box lengths, which LAMMPS's minimum-image interpolation must undo."""
    hop = build_hop(tmp_path_factory.mktemp(f"neb_{request.param}"), request.param)
    unwrapped = hop.final + np.array([2.0, 0.0, -1.0]) * hop.box_length
    unwrapped[hop.hopping, 1] -= hop.box_length
    directory = hop.initial_data.parent / "neb"
    result = run_neb(directory, hop.initial_data, unwrapped, hop.model, LaunchSettings(),
                     replicas=REPLICAS[request.param], force_tolerance=FORCE_TOLERANCE,
                     timestep=NEB_TIMESTEP[request.param])
    return hop, directory, result


@pytest.fixture(scope="module")
def cu_hop(tmp_path_factory):
    return build_hop(tmp_path_factory.mktemp("neb_inputs"), CU)


def test_forward_and_reverse_barriers_of_the_symmetric_hop_agree(hop_neb):
    hop, _, result = hop_neb
    assert hop.final_energy == pytest.approx(hop.initial_energy, abs=1e-6)  # same minimum
    assert result.converged and result.max_replica_force < FORCE_TOLERANCE
    assert result.barrier == pytest.approx(result.reverse_barrier, abs=1e-3)
    assert len(result.energies) == REPLICAS[hop.model.name] and result.energies[0] == 0.0
    assert result.energies[-1] == pytest.approx(0.0, abs=1e-4)
    assert result.barrier == pytest.approx(result.energies.max(), abs=1e-4)
    np.testing.assert_allclose(result.reaction_coordinate[[0, -1]], [0.0, 1.0])
    assert np.all(np.diff(result.reaction_coordinate) > 0)


def test_barrier_is_positive_and_below_the_straight_line_path(hop_neb):
    hop, _, result = hop_neb
    halfway = hop.initial + 0.5 * minimum_image(hop.final - hop.initial, hop.box_length)
    straight_line_energy, _ = single_point(hop, halfway)
    assert 0.1 < result.barrier < straight_line_energy - hop.initial_energy


def test_climbing_image_is_the_saddle_at_the_midpoint_of_the_hop(hop_neb):
    hop, directory, result = hop_neb
    assert 0 < result.climbing_replica < REPLICAS[hop.model.name] - 1
    assert result.climbing_force < FORCE_TOLERANCE
    saddle = read_dump_frame(replica_file(directory, result.climbing_replica)).positions
    energy, force = single_point(hop, saddle)
    assert force < FORCE_TOLERANCE  # a stationary point of the potential alone
    assert energy - hop.initial_energy == pytest.approx(result.barrier, abs=2e-4)
    midpoint = hop.initial[hop.hopping] + 0.5 * minimum_image(
        hop.final[hop.hopping] - hop.initial[hop.hopping], hop.box_length)
    offset = minimum_image(saddle[hop.hopping] - midpoint, hop.box_length)
    assert np.linalg.norm(offset) < 0.01


def test_result_and_replicas_are_published_after_success(hop_neb):
    hop, directory, result = hop_neb
    record = json.loads((directory / RESULT_FILE).read_text())
    assert record["result"]["barrier"] == result.barrier
    replicas = REPLICAS[hop.model.name]
    assert record["replicas"] == replicas
    assert record["command"][-2:] == ["-partition", f"{replicas}x1"]
    assert not list(directory.glob("*.partial"))
    first = read_dump_frame(replica_file(directory, 0))
    np.testing.assert_allclose(minimum_image(first.positions - hop.initial, hop.box_length),
                               0.0, atol=1e-6)  # the end points stay in their minima


def test_final_positions_of_another_system_are_refused_before_lammps_starts(cu_hop, tmp_path):
    with pytest.raises(ValueError, match=rf"has {N_ATOMS} atoms: expected \({N_ATOMS}, 3\)"):
        run_neb(tmp_path / "neb", cu_hop.initial_data, cu_hop.final[:-1], cu_hop.model,
                LaunchSettings())
    assert not (tmp_path / "neb").exists()


def test_a_lammps_error_raises_its_error_line(cu_hop, tmp_path):
    model = cu_hop.model  # two species, but the data file below has one atom type
    lmp = lammps_session(model)
    lmp.commands_string(f"""
lattice         fcc {LATTICE[CU]}
region          cell block 0 2 0 2 0 2
create_box      1 cell
create_atoms    1 box
mass            1 63.546
write_data      {tmp_path / 'one_type.data'}""")
    positions = gathered_positions(lmp)
    lmp.close()
    with pytest.raises(LammpsError, match="ERROR: Number of element to type mappings"):
        run_neb(tmp_path / "neb", tmp_path / "one_type.data", positions, model,
                LaunchSettings(), replicas=3)
    assert not (tmp_path / "neb" / RESULT_FILE).exists()


def test_a_run_past_its_timeout_is_stopped_with_all_its_ranks(cu_hop, tmp_path):
    directory = tmp_path / "neb"
    with pytest.raises(LammpsError, match="did not finish within 1.0 s"):
        run_neb(directory, cu_hop.initial_data, cu_hop.final, cu_hop.model, LaunchSettings(),
                replicas=REPLICAS[CU], timeout=1.0)
    assert not (directory / RESULT_FILE).exists()
    assert not processes_working_in(directory)


def processes_working_in(directory: Path) -> list[int]:
    """Live processes whose working directory is ``directory`` (the ranks run there)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and os.readlink(entry / "cwd") == str(directory):
                found.append(int(entry.name))
        except OSError:  # gone, a zombie, or not ours to read
            continue
    return found
