"""Diffusion coefficient and melting check."""

import numpy as np
import pytest

from analysis.dynamics import check_liquid, diffusion_from_msd


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
