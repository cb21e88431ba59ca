"""Pair distribution functions and first-shell analysis on known structures."""

import itertools

import numpy as np
import pytest

from analysis.box import box_matrix, perpendicular_widths
from analysis.structure import (FirstPeakAndMinimum, PairDistribution, first_peak_and_minimum,
                                pair_distribution)

# a = (16, 0, 0), b = (5, 15, 0), c = (-3, 4, 14): the columns of h
TILTED_CELL = box_matrix((16.0, 15.0, 14.0), (5.0, -3.0, 4.0))


def lattice(h, basis, repeats):
    """Cartesian positions of `basis` (fractional) repeated n x n x n times in the cell h."""
    shifts = np.array(list(itertools.product(range(repeats), repeat=3)))
    fractional = (shifts[:, None, :] + np.asarray(basis)[None, :, :]).reshape(-1, 3)
    return fractional @ h.T


def coordination(pd, r_cut):
    """4 pi rho * integral of g r^2 dr from 0 to r_cut (bin-centre rule)."""
    dr = pd.r[1] - pd.r[0]
    inside = pd.r < r_cut
    return 4 * np.pi * pd.number_density * np.sum(pd.g_total[inside] * pd.r[inside] ** 2) * dr


def random_mixture(box, n_atoms, seed):
    rng = np.random.default_rng(seed)
    positions = rng.uniform(0.0, 1.0, (n_atoms, 3)) @ box.T
    return positions, rng.choice([1, 2], size=n_atoms, p=[0.65, 0.35])


@pytest.mark.parametrize("box", [np.diag([15.0, 16.0, 14.0]), TILTED_CELL], ids=["orthogonal", "triclinic"])
def test_ideal_gas_has_g_equal_one(box):
    positions, types = random_mixture(box, 2500, seed=0)
    pd = pair_distribution(positions, types, box, r_max=6.5, n_bins=26)
    assert isinstance(pd, PairDistribution)
    far = pd.r > 1.5
    assert np.all(np.abs(pd.g_total[far] - 1.0) < 0.05)
    assert np.all(np.abs(pd.g_total[far] - 1.0) < 4.5 * pd.g_total_error[far])
    assert pd.number_density == pytest.approx(2500 / np.linalg.det(box))


def test_partials_of_random_mixture_are_one_and_sum_to_total():
    box = np.diag([15.0, 16.0, 14.0])
    positions, types = random_mixture(box, 2500, seed=1)
    pd = pair_distribution(positions, types, box, r_max=6.5, n_bins=13)
    assert set(pd.g_partial) == {(1, 1), (1, 2), (2, 2)}
    far = pd.r > 2.0
    for key, g in pd.g_partial.items():
        assert np.all(np.abs(g[far] - 1.0) < 5 * pd.g_partial_error[key][far]), key
    n = {t: np.count_nonzero(types == t) for t in (1, 2)}
    n_total = types.size
    weights = {(1, 1): n[1] * (n[1] - 1), (1, 2): 2 * n[1] * n[2], (2, 2): n[2] * (n[2] - 1)}
    weighted = sum(w * pd.g_partial[key] for key, w in weights.items()) / (n_total * (n_total - 1))
    np.testing.assert_allclose(weighted, pd.g_total, rtol=1e-12)


def test_selected_pairs_only():
    box = np.diag([15.0, 16.0, 14.0])
    positions, types = random_mixture(box, 500, seed=2)
    pd = pair_distribution(positions, types, box, r_max=5.0, n_bins=10, pairs=[(2, 1)])
    assert set(pd.g_partial) == {(1, 2)}
    with pytest.raises(ValueError, match="not present"):
        pair_distribution(positions, types, box, r_max=5.0, n_bins=10, pairs=[(1, 3)])


def test_simple_cubic_shells_and_coordination():
    spacing = 2.5
    positions = lattice(spacing * np.eye(3), [[0.0, 0.0, 0.0]], 6)
    pd = pair_distribution(positions, np.ones(len(positions)), 6 * spacing * np.eye(3), r_max=7.35, n_bins=70)
    dr = pd.r[1] - pd.r[0]
    occupied = pd.r[pd.g_total > 0]
    assert occupied[0] == pytest.approx(spacing, abs=dr / 2)
    assert occupied[occupied > spacing + dr][0] == pytest.approx(spacing * np.sqrt(2), abs=dr / 2)
    assert coordination(pd, 1.2 * spacing) == pytest.approx(6, rel=0.01)
    assert coordination(pd, 1.5 * spacing) == pytest.approx(6 + 12, rel=0.01)


def test_fcc_same_in_conventional_and_primitive_triclinic_cells():
    a0 = 3.6
    d_nn = a0 / np.sqrt(2)
    conventional = lattice(a0 * np.eye(3), [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]], 4)
    # primitive rhombohedral cell (60 degree angles) in LAMMPS form (columns a, b, c)
    primitive = d_nn * box_matrix((1.0, np.sqrt(3) / 2, np.sqrt(2.0 / 3.0)),
                                  (0.5, 0.5, np.sqrt(3) / 6))
    rhombohedral = lattice(primitive, [[0.0, 0.0, 0.0]], 6)
    orthogonal_pd = pair_distribution(conventional, np.ones(256), 4 * a0 * np.eye(3), r_max=5.0, n_bins=50)
    triclinic_pd = pair_distribution(rhombohedral, np.ones(216), 6 * primitive, r_max=5.0, n_bins=50)
    for pd in (orthogonal_pd, triclinic_pd):
        assert pd.r[np.argmax(pd.g_total)] == pytest.approx(d_nn, abs=0.05)
        assert coordination(pd, 0.5 * (d_nn + a0)) == pytest.approx(12, rel=0.01)
        assert coordination(pd, 0.5 * (a0 + a0 * np.sqrt(1.5))) == pytest.approx(12 + 6, rel=0.01)
    np.testing.assert_array_equal(orthogonal_pd.g_total > 0, triclinic_pd.g_total > 0)


def test_representation_of_the_cell_does_not_matter():
    box = np.diag([14.0, 14.0, 14.0])
    positions, types = random_mixture(box, 800, seed=3)
    reference = pair_distribution(positions, types, box, r_max=4.9, n_bins=14)
    tilted = box + np.array([[0, 14.0, 0], [0, 0, 0], [0, 0, 0]])   # b' = b + a: same lattice
    unwrapped = positions + np.array([1, -2, 3]) @ box.T
    for pd in (pair_distribution(positions, types, tilted, r_max=4.9, n_bins=14),
               pair_distribution(unwrapped, types, box, r_max=4.9, n_bins=14)):
        np.testing.assert_allclose(pd.g_total, reference.g_total, rtol=1e-12)
        np.testing.assert_allclose(pd.g_partial[(1, 2)], reference.g_partial[(1, 2)], rtol=1e-12)


def test_frames_are_averaged():
    box = np.diag([12.0, 12.0, 12.0])
    first, types = random_mixture(box, 600, seed=4)
    second, _ = random_mixture(box, 600, seed=5)
    both = pair_distribution(np.stack([first, second]), types, box, r_max=5.0, n_bins=10)
    single = [pair_distribution(x, types, box, r_max=5.0, n_bins=10) for x in (first, second)]
    assert both.n_frames == 2
    np.testing.assert_allclose(both.g_total, 0.5 * (single[0].g_total + single[1].g_total), rtol=1e-12)


def test_r_max_beyond_half_the_cell_width_raises():
    assert perpendicular_widths(TILTED_CELL).min() < 14.0
    with pytest.raises(ValueError, match="half the smallest perpendicular"):
        pair_distribution(np.zeros((2, 3)), [1, 1], TILTED_CELL, r_max=7.0, n_bins=10)


WAVENUMBER = 2 * np.pi / 1.1   # 1/A
DECAY = 0.6                    # A
CORE = 2.2                     # A: g = 0 below


def damped_g(r):
    x = r - CORE
    return np.where(x < 0, 0.0, 1 + 1.5 * np.exp(-x / DECAY) * np.sin(WAVENUMBER * x))


def exact_extrema():
    """sin(kx) e^(-x/L) is extremal where tan(kx) = kL: first max, then first min."""
    first_max = CORE + np.arctan(WAVENUMBER * DECAY) / WAVENUMBER
    return first_max, first_max + np.pi / WAVENUMBER


@pytest.mark.parametrize("noise", [0.0, 0.02])
def test_first_peak_and_minimum_of_damped_oscillation(noise):
    r = np.arange(0.005, 8.0, 0.01)
    g = damped_g(r) + np.random.default_rng(0).normal(0.0, noise, r.size) * (r > CORE)
    shell = first_peak_and_minimum(r, g)
    assert isinstance(shell, FirstPeakAndMinimum)
    r_max, r_min = exact_extrema()
    assert shell.r_peak == pytest.approx(r_max, abs=max(0.01, 3 * shell.r_peak_uncertainty))
    assert shell.r_min == pytest.approx(r_min, abs=max(0.01, 3 * shell.r_min_uncertainty))
    assert shell.g_peak == pytest.approx(damped_g(r_max), abs=max(0.01, 3 * shell.g_peak_uncertainty))
    assert shell.g_min == pytest.approx(damped_g(r_min), abs=max(0.01, 3 * shell.g_min_uncertainty))
    assert 0.005 <= shell.r_peak_uncertainty < 0.03


def test_first_peak_and_minimum_of_flat_curve_raises():
    r = np.arange(0.005, 8.0, 0.01)
    with pytest.raises(ValueError, match="no peak"):
        first_peak_and_minimum(r, np.ones_like(r) + np.random.default_rng(0).normal(0, 0.01, r.size))


def test_peak_without_following_minimum_raises():
    r = np.arange(0.005, 8.0, 0.01)
    with pytest.raises(ValueError, match="no minimum"):
        first_peak_and_minimum(r, np.exp(-((r - 4.0) / 0.3) ** 2))
