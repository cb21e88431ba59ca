"""The ART nouveau engine on LAMMPS: the energy surface against plain LAMMPS runs, and a
vacancy hop in fcc Cu whose saddle is checked against LAMMPS's climbing-image NEB."""

import numpy as np
import pytest
import yaml

from conftest import TINY_CONFIG
from mgrelax.art.engine import (ACTIVATIONS, SADDLE, ArtSettings, CountingSurface, find_saddle,
                         random_push_direction)
from mgrelax.art.lammps_surface import open_surface
from mgrelax.art.metabasin import MetabasinCheck, climbing_image_neb
from mgrelax.art.neb import run_neb
from mgrelax.config import validate_config
from mgrelax.launch import LaunchSettings
from test_neb import CU, build_hop, minimum_image, single_point


@pytest.fixture(scope="module")
def vacancy(tmp_path_factory):
    """The relaxed Cu crystal with a vacancy (test_neb's hop) and its LAMMPS surface."""
    hop = build_hop(tmp_path_factory.mktemp("art_vacancy"), CU)
    config = validate_config(yaml.safe_load(TINY_CONFIG.read_text()))
    surface = open_surface(config, hop.model, hop.initial_data.parent / "surface",
                           hop.initial_data)
    yield hop, surface
    surface.close()


def test_surface_energy_and_forces_equal_a_fresh_lammps_run(vacancy):
    """After moves that force a neighbour-list rebuild (0.6 A, beyond half the 1 A skin)
    and a whole-box shift of one atom, the surface's energy and forces are those of a
    separate LAMMPS instance's run 0 at the same positions."""
    hop, surface = vacancy
    rng = np.random.default_rng(3)
    moved = hop.initial + rng.normal(scale=0.05, size=hop.initial.shape)
    moved[:10] += 0.6
    moved[11, 2] += hop.box_length
    energy, forces = surface.energy_forces(moved)
    reference_energy, reference_force_norm = single_point(hop, moved)
    assert energy == pytest.approx(reference_energy, abs=1e-9)
    assert np.linalg.norm(forces) == pytest.approx(reference_force_norm, rel=1e-9)
    assert surface.energy_forces(hop.initial)[0] == pytest.approx(hop.initial_energy, abs=1e-9)


@pytest.mark.parametrize("activation, moving_radius", [(a, 0.0) for a in ACTIVATIONS]
                         + [("min_mode", 5.0)])
def test_vacancy_hop_saddle_is_the_neb_saddle(vacancy, tmp_path, activation, moving_radius):
    """Pushing the twelve neighbours of the vacancy, ART finds a saddle with exactly one
    negative eigenvalue whose far side is an equivalent minimum (the hop is symmetric),
    and its barrier equals the climbing-image NEB barrier between the same minima to
    5 meV; also with the far field beyond 5 A frozen until the restricted saddle (then
    released)."""
    hop, surface = vacancy
    centre = hop.initial[hop.hopping] + minimum_image(
        hop.final[hop.hopping] - hop.initial[hop.hopping], hop.box_length)
    distances = np.linalg.norm(minimum_image(hop.initial - centre, hop.box_length), axis=1)
    neighbours = distances < 3.0
    assert np.count_nonzero(neighbours) == 12
    push = random_push_direction(np.random.default_rng(7), hop.initial.shape, neighbours)
    event = find_saddle(surface, hop.initial, push, ArtSettings(activation=activation),
                        region=distances < 7.0,
                        moving=distances < moving_radius if moving_radius else None)
    assert event.status == SADDLE, event.reason
    assert event.eigenvalue < 0 and event.second_eigenvalue > 0
    assert event.saddle_force < 0.01
    assert event.asymmetry == pytest.approx(0.0, abs=1e-3)
    neb = run_neb(tmp_path / "neb", hop.initial_data, event.final, hop.model, LaunchSettings(),
                  replicas=5, force_tolerance=0.01)
    assert neb.converged
    assert event.activation_energy == pytest.approx(neb.barrier, abs=0.005)
    assert event.force_calls < 400


def test_the_in_process_neb_of_the_metabasin_check_agrees_with_lammps_neb(vacancy, tmp_path):
    """The band that connects a neighbour to the start (mgrelax.art.metabasin) on the vacancy
    hop: its barrier equals LAMMPS's climbing-image NEB barrier between the same minima
    to 5 meV."""
    hop, surface = vacancy
    evaluate = CountingSurface(surface, max_force=100.0)
    final = hop.initial + minimum_image(hop.final - hop.initial, hop.box_length)
    path = climbing_image_neb(evaluate, evaluate(hop.initial), evaluate(final),
                              MetabasinCheck(images=5), max_atom_step=0.1)
    neb = run_neb(tmp_path / "neb", hop.initial_data, final, hop.model, LaunchSettings(),
                  replicas=5, force_tolerance=0.01)
    assert path.converged and neb.converged
    assert path.barrier == pytest.approx(neb.barrier, abs=0.005)
