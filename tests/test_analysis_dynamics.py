"""Diffusion coefficient and melting check."""

import numpy as np
import pytest

from analysis.dynamics import (SelfIntermediateScattering, check_liquid, diffusion_from_msd,
                               self_intermediate_scattering)
from analysis.relaxation import fit_kww


def test_diffusion_coefficient_from_noisy_linear_msd():
    d_true = 0.35  # A^2/ps
    time = np.linspace(0.0, 20.0, 201)
    msd = 6 * d_true * time + 0.8 + np.random.default_rng(0).normal(0.0, 0.2, time.size)
    result = diffusion_from_msd(time, msd)
    assert result.n_points == 101
    assert 0.0 < result.uncertainty < 0.01
    assert result.coefficient == pytest.approx(d_true, abs=4 * result.uncertainty)
    assert result.intercept == pytest.approx(0.8, abs=4 * result.intercept_uncertainty)


def test_diffusion_ignores_early_ballistic_regime():
    time = np.linspace(0.0, 10.0, 101)
    msd = np.where(time < 2.0, 3.0 * time**2, 6 * 0.5 * time)
    assert diffusion_from_msd(time, msd).coefficient == pytest.approx(0.5)


def test_diffusion_needs_three_points():
    with pytest.raises(ValueError, match="need at least 3"):
        diffusion_from_msd([0.0, 1.0, 2.0], [0.0, 1.0, 2.0])


def test_liquid_passes_and_superheated_crystal_fails():
    d_nn = 2.7  # A, Cu-Zr first shell
    liquid = check_liquid(msd_final=35.0, nearest_neighbour_distance=d_nn)
    crystal = check_liquid(msd_final=0.2, nearest_neighbour_distance=d_nn)
    assert liquid.passed and not crystal.passed
    assert liquid.threshold == pytest.approx(d_nn**2)
    assert "has left" in liquid.reason and "has not left" in crystal.reason


def test_liquid_factor_scales_threshold():
    assert not check_liquid(10.0, 2.7, factor=2.0).passed
    with pytest.raises(ValueError):
        check_liquid(10.0, 0.0)


DIFFUSIVITY = {1: 0.5, 2: 0.1}   # A^2/ps
WAVENUMBER = 2.0                 # 1/A


def brownian_trajectory(n_frames=41, dt=0.05, atoms_per_type=1000, drift=(2.0, -1.0, 0.5), seed=0):
    """Unwrapped random walks with 2 D dt variance per component and step, plus a uniform drift (A/ps)."""
    rng = np.random.default_rng(seed)
    types = np.repeat(list(DIFFUSIVITY), atoms_per_type)
    step_sd = np.sqrt(2 * np.array([DIFFUSIVITY[t] for t in types]) * dt)[None, :, None]
    steps = rng.normal(0.0, 1.0, (n_frames - 1, types.size, 3)) * step_sd + dt * np.asarray(drift)
    start = rng.uniform(0.0, 20.0, (1, types.size, 3))
    positions = np.concatenate([start, start + np.cumsum(steps, axis=0)])
    return dt * np.arange(n_frames), positions, types


def test_self_intermediate_scattering_of_brownian_motion():
    """Gaussian displacements of variance 2 D t per component: F_s(q, t) = exp(-q^2 D t)."""
    times, positions, types = brownian_trajectory()
    result = self_intermediate_scattering(times, positions, WAVENUMBER, types)
    assert isinstance(result, SelfIntermediateScattering)
    np.testing.assert_allclose(result.lag, times)
    assert result.fs[0] == pytest.approx(1.0) and result.fs_error[0] == pytest.approx(0.0)
    exact = {t: np.exp(-WAVENUMBER**2 * d * result.lag) for t, d in DIFFUSIVITY.items()}
    for t in DIFFUSIVITY:
        assert np.all(np.abs(result.fs_by_type[t] - exact[t]) <= 4 * result.fs_error_by_type[t] + 1e-12), t
    assert np.all(np.abs(result.fs - 0.5 * (exact[1] + exact[2])) <= 4 * result.fs_error + 1e-12)
    assert 0.0 < result.fs_error[-1] < 0.01
    fit = fit_kww(result.lag, result.fs_by_type[1])
    assert fit.tau == pytest.approx(1 / (WAVENUMBER**2 * DIFFUSIVITY[1]), rel=0.05)
    assert fit.beta == pytest.approx(1.0, abs=0.03)


def test_self_intermediate_scattering_origins():
    times, positions, _ = brownian_trajectory(n_frames=12, atoms_per_type=50)
    every = self_intermediate_scattering(times, positions, WAVENUMBER)
    np.testing.assert_array_equal(every.n_origins, 12 - np.arange(12))
    assert every.fs_by_type == {}
    first = self_intermediate_scattering(times, positions, WAVENUMBER, max_origins=1)
    np.testing.assert_array_equal(first.n_origins, np.ones(12))
    displacement = positions - positions[0]
    distance = np.linalg.norm(displacement - displacement.mean(axis=1, keepdims=True), axis=2)
    by_hand = np.mean(np.sin(WAVENUMBER * distance[1:]) / (WAVENUMBER * distance[1:]), axis=1)
    np.testing.assert_allclose(first.fs[1:], by_hand, rtol=1e-12)


def test_self_intermediate_scattering_needs_equally_spaced_frames():
    _, positions, _ = brownian_trajectory(n_frames=4, atoms_per_type=5)
    with pytest.raises(ValueError, match="equally spaced"):
        self_intermediate_scattering([0.0, 1.0, 2.0, 3.5], positions, WAVENUMBER)
    with pytest.raises(ValueError, match="positions"):
        self_intermediate_scattering([0.0, 1.0, 2.0], positions, WAVENUMBER)
