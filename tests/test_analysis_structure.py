"""Pair distribution functions and first-shell analysis on known structures."""

import itertools

import numpy as np
import pytest

from analysis.box import box_matrix, perpendicular_widths
from scipy.optimize import curve_fit, minimize, minimize_scalar
from scipy.spatial import cKDTree

from analysis.structure import (FirstPeakAndMinimum, PairDistribution, StructureFactor,
                                first_peak_and_minimum, first_peak_of_structure_factor,
                                pair_distribution, structure_factor)

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


def test_structure_factor_of_a_gaussian_correlation_hole():
    """g = 1 - exp(-r^2 / 2 s^2) has S(q) = 1 - rho (2 pi s^2)^(3/2) exp(-q^2 s^2 / 2)."""
    rho, s = 0.06, 1.2   # 1/A^3, A
    r = np.arange(0.005, 12.0, 0.01)
    q = np.linspace(0.1, 8.0, 50)
    exact = 1 - rho * (2 * np.pi * s**2) ** 1.5 * np.exp(-(q * s) ** 2 / 2)
    computed = structure_factor(r, 1 - np.exp(-r**2 / (2 * s**2)), rho, q, lorch=False)
    np.testing.assert_allclose(computed, exact, atol=1e-6)


def test_main_peak_of_a_damped_oscillation():
    """h = A e^(-r/L) sin(k r) / r transforms into a difference of Lorentzians peaked near k."""
    rho, k, decay, amplitude = 0.06, 2 * np.pi / 2.5, 1.5, 3.0

    def exact(q):
        a = 1 / decay
        lorentzians = 1 / (a**2 + (k - q) ** 2) - 1 / (a**2 + (k + q) ** 2)
        return 1 + 2 * np.pi * rho * amplitude * a / q * lorentzians

    r = np.arange(0.005, 30.0, 0.01)
    g = 1 + amplitude * np.exp(-r / decay) * np.sin(k * r) / r
    q1 = minimize_scalar(lambda q: -exact(q), bounds=(0.8 * k, 1.2 * k), method="bounded",
                         options={"xatol": 1e-10}).x
    plain = first_peak_of_structure_factor(r, g, rho, q_max=6.0, lorch=False)
    assert isinstance(plain, StructureFactor)
    np.testing.assert_allclose(plain.s, exact(plain.q), atol=1e-5)
    assert plain.q_peak == pytest.approx(q1, abs=plain.q_peak_uncertainty)
    assert plain.s_peak == pytest.approx(exact(q1), rel=2e-4)
    assert plain.q_peak_uncertainty < 0.003 * q1
    windowed = first_peak_of_structure_factor(r, g, rho, q_max=6.0)
    assert windowed.q_peak == pytest.approx(q1, rel=0.003)


def test_peak_at_the_end_of_the_q_range_raises():
    r = np.arange(0.005, 8.0, 0.01)
    with pytest.raises(ValueError, match="widen q_max"):
        first_peak_of_structure_factor(r, damped_g(r), 0.06, q_max=1.0)


def soft_sphere_packing(n_atoms, packing_fraction, seed, iterations=50):
    """Amorphous dense packing: harmonic soft spheres of diameter 1, random start, partly
    relaxed (L-BFGS). Returns positions and the cubic box length."""
    length = (n_atoms * np.pi / 6 / packing_fraction) ** (1 / 3)

    def energy(flat):
        x = flat.reshape(-1, 3)
        i, j = cKDTree(np.mod(x, length), boxsize=length).query_pairs(1.0, output_type="ndarray").T
        d = x[i] - x[j]
        d -= length * np.round(d / length)
        distance = np.linalg.norm(d, axis=1)
        force = ((1 - distance) / distance)[:, None] * d
        gradient = [np.bincount(j, f, n_atoms) - np.bincount(i, f, n_atoms) for f in force.T]
        return 0.5 * np.sum((1 - distance) ** 2), np.stack(gradient, axis=1).ravel()

    start = np.random.default_rng(seed).uniform(0.0, length, 3 * n_atoms)
    relaxed = minimize(energy, start, jac=True, method="L-BFGS-B", options={"maxiter": iterations})
    return np.mod(relaxed.x.reshape(-1, 3), length), length


def direct_structure_factor(positions, length, k_min, k_max):
    """|k| and S(k) = |sum_j exp(i k.r_j)|^2 / N at the reciprocal-lattice vectors of a cubic box
    with k_min < |k| < k_max (one of each pair k, -k)."""
    n_max = int(k_max * length / (2 * np.pi))
    n = np.array(list(itertools.product(range(-n_max, n_max + 1), repeat=3)))
    n = n[(n[:, 0] > 0) | ((n[:, 0] == 0) & ((n[:, 1] > 0) | ((n[:, 1] == 0) & (n[:, 2] > 0))))]
    k = 2 * np.pi / length * n
    k_norm = np.linalg.norm(k, axis=1)
    shell = (k_norm > k_min) & (k_norm < k_max)
    amplitude = np.exp(1j * positions @ k[shell].T).sum(axis=0)
    return k_norm[shell], np.abs(amplitude) ** 2 / len(positions)


@pytest.fixture(scope="module")
def amorphous_packing():
    positions, length = soft_sphere_packing(1000, 0.70, seed=0)
    pd = pair_distribution(positions, np.ones(len(positions)), length * np.eye(3),
                           r_max=length / 2, n_bins=200)
    return positions, length, pd


def test_structure_factor_peak_agrees_with_the_direct_sum_over_wave_vectors(amorphous_packing):
    positions, length, pd = amorphous_packing
    sf = first_peak_of_structure_factor(pd.r, pd.g_total, pd.number_density)
    k, s_direct = direct_structure_factor(positions, length, 0.75 * sf.q_peak, 1.25 * sf.q_peak)
    near_peak = np.abs(k - sf.q_peak) < 1.5

    def peak(k, height, k0, width, base):
        return base + height * np.exp(-((k - k0) / width) ** 2 / 2)

    (_, q1_direct, _, _), covariance = curve_fit(peak, k[near_peak], s_direct[near_peak],
                                                 p0=(2.0, sf.q_peak, 0.5, 0.5))
    assert np.sqrt(covariance[1, 1]) < 0.005 * q1_direct
    assert sf.q_peak == pytest.approx(q1_direct, rel=0.02)
    assert 2.0 < sf.s_peak < 4.0
    r_nn = first_peak_and_minimum(pd.r, pd.g_total).r_peak
    assert 7.0 < sf.q_peak * r_nn < 7.7   # dense liquids and glasses


def test_lorch_window_removes_truncation_ripples(amorphous_packing):
    positions, length, pd = amorphous_packing
    k, s_direct = direct_structure_factor(positions, length, 0.5, 5.0)   # below the main peak
    deviation = {lorch: structure_factor(pd.r, pd.g_total, pd.number_density, k, lorch) - s_direct
                 for lorch in (True, False)}
    rms = {lorch: np.sqrt(np.mean(d**2)) for lorch, d in deviation.items()}
    assert rms[True] < 0.04 and rms[True] < 0.6 * rms[False]
    assert np.all(structure_factor(pd.r, pd.g_total, pd.number_density, k) > 0)
