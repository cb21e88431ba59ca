"""Barriers from free-energy profiles: analytic wells with exact barriers, noise, flagged runs."""

import dataclasses

import numpy as np
import pytest
from scipy.interpolate import PchipInterpolator
from scipy.optimize import brentq

from analysis.metad import DEFAULT_PROMINENCE, ProfileBarrier, barrier_from_profile

HEIGHT, CENTRE, HALF_WIDTH = 0.5, 0.85, 0.6   # minima at 0.25 and 1.45 A, saddle at 0.85 A (cf. Fig. 1b)
GRID = np.linspace(0.0, 2.0, 201)             # 0.01 A steps: holds 0.25, 0.85 and 1.45
NOISE = 0.002                                 # eV, a tenth of the default prominence


def double_well(s, tilt=0.0):
    """h((s-a)^2 - b^2)^2 / b^4 + c (s - a): minima 0 at a -/+ b and maximum h at a for c = 0."""
    u = s - CENTRE
    return HEIGHT * (u**2 - HALF_WIDTH**2) ** 2 / HALF_WIDTH**4 + tilt * u


def double_well_slope(s, tilt):
    u = s - CENTRE
    return 4 * HEIGHT * u * (u**2 - HALF_WIDTH**2) / HALF_WIDTH**4 + tilt


def assert_crossed(result, barrier, minimum, saddle, final, abs_barrier=1e-12, abs_position=1e-12):
    assert isinstance(result, ProfileBarrier)
    assert result.found and result.status == "crossed", result.message
    assert result.barrier == pytest.approx(barrier, abs=abs_barrier)
    assert result.barrier == pytest.approx(result.saddle_free_energy - result.minimum_free_energy)
    assert result.minimum_position == pytest.approx(minimum, abs=abs_position)
    assert result.saddle_position == pytest.approx(saddle, abs=abs_position)
    assert result.final_minimum_position == pytest.approx(final, abs=abs_position)
    assert "barrier" in result.message


def assert_flagged(result, status):
    assert not result.found and result.status == status
    assert np.isnan(result.barrier)
    assert np.isnan(result.saddle_position) and np.isnan(result.saddle_free_energy)
    assert np.isnan(result.final_minimum_position) and np.isnan(result.final_minimum_free_energy)
    assert result.message and "\n" not in result.message


def test_symmetric_double_well_gives_its_height():
    result = barrier_from_profile(GRID, double_well(GRID))
    assert_crossed(result, HEIGHT, CENTRE - HALF_WIDTH, CENTRE, CENTRE + HALF_WIDTH)
    assert result.minimum_free_energy == pytest.approx(0.0, abs=1e-12)
    assert result.final_minimum_free_energy == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("tilt", [-0.15, 0.15])   # eV/A: second basin lower or higher
def test_tilted_double_well_gives_the_exact_barrier(tilt):
    def stationary(low, high):
        return brentq(double_well_slope, CENTRE + low, CENTRE + high, args=(tilt,), xtol=1e-15)

    minimum, saddle, final = stationary(-0.9, -0.3), stationary(-0.3, 0.3), stationary(0.3, 0.9)
    grid = np.unique(np.concatenate((GRID, [minimum, saddle, final])))
    exact = double_well(saddle, tilt) - double_well(minimum, tilt)
    assert abs(exact - HEIGHT) > 0.08   # the tilt matters
    result = barrier_from_profile(grid, double_well(grid, tilt))
    assert_crossed(result, exact, minimum, saddle, final)
    # on the plain grid the extrema are missed by at most half a step: second order in F
    on_grid = barrier_from_profile(GRID, double_well(GRID, tilt))
    assert_crossed(on_grid, exact, minimum, saddle, final, abs_barrier=2e-3, abs_position=0.005)


@pytest.mark.parametrize("seed", range(20))
def test_noise_below_the_prominence_shifts_the_barrier_by_a_few_sigma(seed):
    noise = np.random.default_rng(seed).normal(0.0, NOISE, GRID.size)
    result = barrier_from_profile(GRID, double_well(GRID) + noise)
    # The saddle is the highest noisy point near the top and the minimum the lowest near
    # the bottom, each the extreme of the few points within ~sigma of the true extremum:
    # the barrier comes out ~1.7 sigma high with a spread of ~1 sigma (largest of 2000
    # seeds: 5.8 sigma), so 6 sigma bounds it.
    assert_crossed(result, HEIGHT, CENTRE - HALF_WIDTH, CENTRE, CENTRE + HALF_WIDTH,
                   abs_barrier=6 * NOISE, abs_position=0.05)


@pytest.mark.parametrize("noisy", [False, True])
def test_flat_unexplored_top_is_not_a_saddle(noisy):
    """A run that never left its basin: F rises to the flat top where no bias was deposited."""
    profile = np.minimum(3.0 * (GRID - 0.25) ** 2, 0.4)
    if noisy:
        explored = profile < 0.4
        profile[explored] += np.random.default_rng(1).normal(0.0, NOISE, explored.sum())
    result = barrier_from_profile(GRID, profile)
    assert_flagged(result, "no_saddle")
    assert result.minimum_position == pytest.approx(0.25, abs=0.05)
    assert "never descends" in result.message


def test_crossed_run_with_unexplored_top_beyond_the_second_basin():
    profile = np.where(GRID > CENTRE + HALF_WIDTH, np.minimum(double_well(GRID), 0.6), double_well(GRID))
    result = barrier_from_profile(GRID, profile)
    assert_crossed(result, HEIGHT, CENTRE - HALF_WIDTH, CENTRE, CENTRE + HALF_WIDTH)


def test_single_well_is_flagged():
    result = barrier_from_profile(GRID, 2.0 * (GRID - 0.8) ** 2)
    assert_flagged(result, "no_saddle")
    assert result.minimum_position == pytest.approx(0.8, abs=1e-12)
    assert result.minimum_free_energy == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("profile", [np.zeros(GRID.size),
                                     np.random.default_rng(2).normal(0.0, NOISE, GRID.size),
                                     np.where(GRID < 1.0, 0.0, 0.5 * DEFAULT_PROMINENCE)])
def test_profile_without_a_deep_enough_basin_has_no_minimum(profile):
    result = barrier_from_profile(GRID, profile)
    assert_flagged(result, "no_minimum")
    assert np.isnan(result.minimum_position) and np.isnan(result.minimum_free_energy)


def test_flat_bottom_counts_once_at_its_middle():
    profile = np.where(np.abs(GRID - 0.25) <= 0.05 + 1e-9, 0.0, double_well(GRID))
    assert_crossed(barrier_from_profile(GRID, profile), HEIGHT, 0.25, CENTRE, CENTRE + HALF_WIDTH)


def test_flat_shoulder_on_the_wall_is_neither_minimum_nor_saddle():
    shoulder = (GRID > 0.45) & (GRID < 0.65)
    profile = np.where(shoulder, double_well(0.45), double_well(GRID))
    assert_crossed(barrier_from_profile(GRID, profile), HEIGHT, 0.25, CENTRE, CENTRE + HALF_WIDTH)


def test_flat_top_gives_the_saddle_at_its_middle():
    profile = np.minimum(double_well(GRID), HEIGHT - 0.05)
    assert_crossed(barrier_from_profile(GRID, profile), HEIGHT - 0.05, 0.25, CENTRE, CENTRE + HALF_WIDTH)


def test_prominence_decides_whether_a_shallow_dip_is_a_basin():
    knots = np.array([0.0, 0.25, 0.6, 0.7, 0.85, 1.45, 2.0])   # monotone cubic: extrema at the knots
    values = np.array([0.3, 0.0, 0.30, 0.29, 0.5, 0.1, 0.6])   # a 0.01 eV dip at 0.7 A
    profile = PchipInterpolator(knots, values)(GRID)
    assert_crossed(barrier_from_profile(GRID, profile), 0.5, 0.25, 0.85, 1.45)
    assert_crossed(barrier_from_profile(GRID, profile, prominence=0.005), 0.3, 0.25, 0.6, 0.7)


def test_start_chooses_the_initial_basin():
    """Three basins at 0.25, 1.45 and 2.65 A; barriers 0.5 eV out of the first, 0.3 eV out of the second."""
    grid = np.linspace(0.0, 3.0, 301)
    height = np.where(grid < 1.45, 0.5, 0.3)
    profile = height * (1.0 - np.cos(2.0 * np.pi * (grid - 0.25) / 1.2)) / 2.0
    assert_crossed(barrier_from_profile(grid, profile), 0.5, 0.25, 0.85, 1.45)
    assert_crossed(barrier_from_profile(grid, profile, start=0.1), 0.5, 0.25, 0.85, 1.45)
    assert_crossed(barrier_from_profile(grid, profile, start=1.5), 0.3, 1.45, 2.05, 2.65)
    assert_crossed(barrier_from_profile(grid, profile, start=1.0), 0.3, 1.45, 2.05, 2.65)
    last = barrier_from_profile(grid, profile, start=2.6)
    assert_flagged(last, "no_saddle")
    assert last.minimum_position == pytest.approx(2.65)


def test_next_minimum_not_below_the_saddle_by_the_prominence_is_no_saddle():
    """Two equally deep minima count as prominent (scipy's rule) even across a tiny hump."""
    knots = np.array([0.0, 0.25, 0.3, 0.35, 2.0])
    profile = PchipInterpolator(knots, [1.0, 0.0, 0.01, 0.0, 1.0])(GRID)
    result = barrier_from_profile(GRID, profile)
    assert_flagged(result, "no_saddle")
    assert result.minimum_position == pytest.approx(0.25)


def test_minimum_at_the_grid_end_counts():
    result = barrier_from_profile(GRID[25:], double_well(GRID[25:]))   # grid starts at the minimum
    assert_crossed(result, HEIGHT, 0.25, CENTRE, CENTRE + HALF_WIDTH)


def test_lists_are_accepted_and_the_result_is_frozen():
    result = barrier_from_profile(GRID.tolist(), double_well(GRID).tolist())
    assert result.found
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.barrier = 0.0


@pytest.mark.parametrize("cv, free_energy, options, message", [
    ([0.0, 0.1, 0.2], [0.0, 0.1], {}, "equal length"),
    ([0.0, 0.1], [0.0, 0.1], {}, "at least 3 points"),
    ([0.0, 0.2, 0.1], [0.0, 0.1, 0.0], {}, "strictly increasing"),
    ([0.0, 0.1, 0.1], [0.0, 0.1, 0.0], {}, "strictly increasing"),
    ([0.0, 0.1, 0.2], [0.0, np.nan, 0.0], {}, "finite"),
    ([0.0, np.inf, 0.2], [0.0, 0.1, 0.0], {}, "finite"),
    ([0.0, 0.1, 0.2], [0.0, 0.1, 0.0], {"prominence": 0.0}, "prominence"),
    ([0.0, 0.1, 0.2], [0.0, 0.1, 0.0], {"start": np.nan}, "start"),
])
def test_malformed_input_raises(cv, free_energy, options, message):
    with pytest.raises(ValueError, match=message):
        barrier_from_profile(cv, free_energy, **options)
