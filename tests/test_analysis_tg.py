"""Glass-transition fit on synthetic piecewise-linear quench data."""

import numpy as np
import pytest

from analysis.glass_transition import GlassTransition, fit_glass_transition

TG = 700.0
SLOPE_GLASS = 1.0e-3   # e.g. volume per atom per K
SLOPE_LIQUID = 2.5e-3
V_AT_TG = 17.0


def quench(noise=0.0, seed=0):
    """Cooling record 1100 K -> 300 K in 5 K steps with a kink at TG."""
    temperature = np.arange(1100.0, 299.0, -5.0)
    slope = np.where(temperature < TG, SLOPE_GLASS, SLOPE_LIQUID)
    volume = V_AT_TG + slope * (temperature - TG)
    return temperature, volume + np.random.default_rng(seed).normal(0.0, noise, temperature.size)


def test_noiseless_kink_is_recovered_exactly():
    result = fit_glass_transition(*quench())
    assert isinstance(result, GlassTransition)
    assert result.tg == pytest.approx(TG, abs=1e-6)
    assert result.tg_uncertainty < 1e-6
    assert result.slope_glass == pytest.approx(SLOPE_GLASS)
    assert result.slope_liquid == pytest.approx(SLOPE_LIQUID)
    assert result.intercept_glass == pytest.approx(V_AT_TG - SLOPE_GLASS * TG)
    assert result.intercept_liquid == pytest.approx(V_AT_TG - SLOPE_LIQUID * TG)
    assert result.n_windows == 25


def test_noisy_kink_is_recovered_within_a_few_kelvin():
    result = fit_glass_transition(*quench(noise=0.005))
    assert result.tg == pytest.approx(TG, abs=5.0)
    assert 0.0 < result.tg_uncertainty < 10.0
    assert abs(result.tg - TG) < 4 * result.tg_uncertainty + 2.0


def test_input_order_does_not_matter():
    temperature, volume = quench(noise=0.005)
    cooling = fit_glass_transition(temperature, volume)
    heating = fit_glass_transition(temperature[::-1], volume[::-1])
    shuffled = np.random.default_rng(1).permutation(temperature.size)
    assert heating == cooling
    assert fit_glass_transition(temperature[shuffled], volume[shuffled]) == cooling


def test_explicit_windows_are_used():
    result = fit_glass_transition(*quench(), glass_window=(300.0, 550.0), liquid_window=(850.0, 1100.0),
                                  n_variations=3)
    assert result.tg == pytest.approx(TG)
    assert result.n_windows == 9


def test_straight_line_has_no_kink():
    temperature, _ = quench()
    volume = V_AT_TG + SLOPE_GLASS * temperature
    with pytest.raises(ValueError, match="no kink"):
        fit_glass_transition(temperature, volume)
    noisy = volume + np.random.default_rng(2).normal(0.0, 0.01, temperature.size)
    with pytest.raises(ValueError, match="no kink"):
        fit_glass_transition(temperature, noisy)


def test_crossing_outside_the_range_raises():
    temperature, _ = quench()
    volume = np.where(temperature < TG, 1.0 * temperature, 1.1 * temperature + 500.0)
    with pytest.raises(ValueError, match="outside the data range"):
        fit_glass_transition(temperature, volume)


def test_too_few_points_raise():
    with pytest.raises(ValueError, match="at least"):
        fit_glass_transition([300.0, 500.0, 700.0, 900.0], [1.0, 2.0, 3.0, 5.0])
    temperature, volume = quench()
    with pytest.raises(ValueError, match="points in the fit window"):
        fit_glass_transition(temperature, volume, glass_window=(300.0, 306.0))
