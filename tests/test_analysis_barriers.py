"""Barrier statistics against closed forms, scipy references and seeded samples."""

import numpy as np
import pytest
from scipy.stats import linregress, lognorm, norm

from analysis.barriers import (
    BOLTZMANN,
    ActivationParameters,
    BootstrapSingleBarrier,
    LogNormalFit,
    SingleBarrier,
    activation_parameters,
    bootstrap_single_barrier,
    fit_lognormal,
    running_statistics,
    single_barrier,
    transition_frequency,
)

MEAN, SD = 0.8, 0.1                                    # eV, a beta-relaxation barrier spectrum
ACTIVATION_ENERGY, ACTIVATION_ENTROPY = 1.36, 14.8    # eV and k_B: Delta F_eff of Yang et al.
TEMPERATURES = np.arange(200.0, 451.0, 50.0)          # K


def gaussian_quantiles(n, mean=MEAN, sd=SD):
    """A deterministic Gaussian 'sample': the quantiles at (i + 1/2) / n."""
    return mean + sd * norm.ppf((np.arange(n) + 0.5) / n)


def seeded_spectrum(n, seed):
    return np.random.default_rng(seed).normal(MEAN, SD, n)


def free_energy_line(temperature):
    return ACTIVATION_ENERGY - temperature * ACTIVATION_ENTROPY * BOLTZMANN


def test_boltzmann_constant_in_ev_per_kelvin():
    assert BOLTZMANN == pytest.approx(8.617333262e-5, rel=1e-9)


def test_gaussian_spectrum_matches_the_closed_form():
    """<exp(-/+ F / kT)> = exp(-/+ mu / kT + sigma^2 / 2 k^2 T^2): F_para/seq = mu -/+ sigma^2 / 2kT."""
    temperature = 300.0
    result = single_barrier(gaussian_quantiles(10**6), temperature)
    shift = SD**2 / (2 * BOLTZMANN * temperature)   # 0.193 eV
    # The exp(-/+ F / kT) weight peaks at z = -/+ sigma / kT = -/+ 3.9 sd, near the end
    # of the quantile sample (|z| <= 4.9 for n = 1e6), whose missing far tail leaves
    # F_para too high and F_seq too low by 2.6 meV (1.4 % of the shift); the error falls
    # only slowly with n (5.8 meV at 1e5, 1.1 meV at 1e7). 4 meV covers it.
    assert isinstance(result, SingleBarrier)
    assert result.parallel == pytest.approx(MEAN - shift, abs=4e-3)
    assert result.sequential == pytest.approx(MEAN + shift, abs=4e-3)
    assert result.effective == pytest.approx(MEAN, abs=1e-9)   # the sample is symmetric
    assert result.mean == pytest.approx(MEAN, abs=1e-12)
    assert result.n == 10**6 and result.temperature == temperature


@pytest.mark.parametrize("barriers", [[0.7], [0.7] * 25])
def test_single_valued_spectrum_gives_that_value(barriers):
    result = single_barrier(barriers, 250.0)
    for value in (result.parallel, result.sequential, result.effective, result.mean):
        assert value == pytest.approx(0.7, abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("temperature", [200.0, 300.0, 450.0])
def test_parallel_below_mean_below_sequential(seed, temperature):
    barriers = lognorm.rvs(0.3, scale=0.7, size=50, random_state=np.random.default_rng(seed))
    result = single_barrier(barriers, temperature)
    assert result.parallel <= result.mean <= result.sequential
    assert result.parallel >= barriers.min() and result.sequential <= barriers.max()


@pytest.mark.parametrize("temperature", [200.0, 20.0])   # at 20 K, exp(2 eV / kT) = exp(1160)
def test_no_overflow_for_large_barriers(temperature):
    """Two barriers a < b: F_para = a - kT ln((1 + exp(-(b - a)/kT)) / 2), F_seq likewise."""
    low, high = 1.9, 2.0
    k_t = BOLTZMANN * temperature
    with np.errstate(over="raise", invalid="raise", divide="raise"):   # underflow is harmless
        result = single_barrier([low, high], temperature)
    correction = k_t * np.log((1 + np.exp(-(high - low) / k_t)) / 2)
    assert result.parallel == pytest.approx(low - correction, rel=1e-12)
    assert result.sequential == pytest.approx(high + correction, rel=1e-12)


def test_bootstrap_values_equal_single_barrier_and_intervals_contain_them():
    barriers = seeded_spectrum(50, seed=0)
    result = bootstrap_single_barrier(barriers, 300.0, n_resamples=2000)
    plain = single_barrier(barriers, 300.0)
    assert isinstance(result, BootstrapSingleBarrier)
    for name in ("parallel", "sequential", "effective"):
        value, (low, high) = getattr(result, name), getattr(result, f"{name}_interval")
        assert value == pytest.approx(getattr(plain, name), rel=1e-12)
        assert low < value < high
        assert getattr(result, f"{name}_error") > 0
    assert result.n == 50 and result.confidence == 0.95 and result.method == "BCa"


def test_bootstrap_is_reproducible_from_the_seed():
    barriers = seeded_spectrum(30, seed=1)
    first, again = (bootstrap_single_barrier(barriers, 300.0, n_resamples=500, seed=7) for _ in range(2))
    other = bootstrap_single_barrier(barriers, 300.0, n_resamples=500, seed=8)
    assert first == again
    assert other.effective_interval != first.effective_interval


@pytest.mark.parametrize("method", ["BCa", "percentile"])
def test_bootstrap_intervals_narrow_with_more_samples(method):
    few, many = (bootstrap_single_barrier(seeded_spectrum(n, seed=2), 300.0, n_resamples=2000, method=method)
                 for n in (25, 400))
    for name in ("parallel", "sequential", "effective"):
        # 16 times the samples: 4 times narrower for the mean, less for F_seq and F_para,
        # which hinge on the tails that 25 samples barely reach
        assert np.ptp(getattr(many, f"{name}_interval")) < 0.7 * np.ptp(getattr(few, f"{name}_interval"))
        assert getattr(many, f"{name}_error") < 0.7 * getattr(few, f"{name}_error")


def test_bootstrap_error_at_high_temperature_is_that_of_the_mean():
    """For kT >> spread all three barriers tend to the mean, whose bootstrap error is sd(ddof=0)/sqrt(n)."""
    barriers = seeded_spectrum(100, seed=3)
    result = bootstrap_single_barrier(barriers, 1e6)
    # Monte Carlo error of a bootstrap sd from 9999 resamples: 1/sqrt(2 * 9999) = 0.7 %
    assert result.effective_error == pytest.approx(barriers.std() / np.sqrt(barriers.size), rel=0.03)


def test_exact_line_gives_the_activation_energy_and_entropy():
    result = activation_parameters(TEMPERATURES, free_energy_line(TEMPERATURES))
    assert isinstance(result, ActivationParameters)
    assert result.activation_energy == pytest.approx(ACTIVATION_ENERGY, rel=1e-10)
    assert result.activation_entropy == pytest.approx(ACTIVATION_ENTROPY, rel=1e-10)
    assert result.activation_energy_error == pytest.approx(0.0, abs=1e-10)
    assert result.activation_entropy_error == pytest.approx(0.0, abs=1e-8)
    assert result.r_squared == pytest.approx(1.0)
    assert result.n_points == 6 and result.confidence == 0.95


def noisy_line(seed, noise=0.02):
    return free_energy_line(TEMPERATURES) + np.random.default_rng(seed).normal(0.0, noise, TEMPERATURES.size)


def test_unweighted_fit_is_linear_regression():
    barriers = noisy_line(seed=0)
    result = activation_parameters(TEMPERATURES, barriers, confidence=0.9)
    reference = linregress(TEMPERATURES, barriers)
    assert result.activation_energy == pytest.approx(reference.intercept, rel=1e-9)
    assert result.activation_energy_error == pytest.approx(reference.intercept_stderr, rel=1e-6)
    assert result.activation_entropy == pytest.approx(-reference.slope / BOLTZMANN, rel=1e-9)
    assert result.activation_entropy_error == pytest.approx(reference.stderr / BOLTZMANN, rel=1e-6)
    assert result.r_squared == pytest.approx(reference.rvalue**2, rel=1e-9)
    low, high = result.activation_entropy_interval
    assert low < ACTIVATION_ENTROPY < high
    assert high - result.activation_entropy == pytest.approx(result.activation_entropy - low)
    low, high = result.activation_energy_interval
    assert low < ACTIVATION_ENERGY < high


def test_intervals_contain_the_truth_at_their_level():
    fits = [activation_parameters(TEMPERATURES, noisy_line(seed)) for seed in range(400)]
    covered = [(low_q < ACTIVATION_ENERGY < high_q, low_s < ACTIVATION_ENTROPY < high_s)
               for (low_q, high_q), (low_s, high_s) in
               ((fit.activation_energy_interval, fit.activation_entropy_interval) for fit in fits)]
    np.testing.assert_allclose(np.mean(covered, axis=0), 0.95, atol=0.033)   # 3 binomial sd (0.011)


def test_barrier_errors_weight_the_temperatures():
    offsets = np.array([0.0, 0.002, -0.002, 0.001, 0.0, 0.15])   # the last point is off
    barriers = free_energy_line(TEMPERATURES) + offsets
    discounted = activation_parameters(TEMPERATURES, barriers, barrier_errors=[0.01] * 5 + [10.0])
    assert discounted.activation_entropy == pytest.approx(ACTIVATION_ENTROPY, abs=0.5)
    unweighted = activation_parameters(TEMPERATURES, barriers)
    assert unweighted.activation_entropy < ACTIVATION_ENTROPY - 3   # pulled down by the outlier
    equal = activation_parameters(TEMPERATURES, barriers, barrier_errors=[0.03] * 6)
    assert equal.activation_entropy == pytest.approx(unweighted.activation_entropy)


@pytest.mark.parametrize("temperatures, barriers, errors, message", [
    ([200.0, 300.0], [0.9, 0.8], None, "at least 3 temperatures"),
    ([300.0, 300.0, 300.0], [0.9, 0.8, 0.7], None, "not all be equal"),
    ([0.0, 300.0, 400.0], [0.9, 0.8, 0.7], None, "positive"),
    ([200.0, 300.0, 400.0], [0.9, np.nan, 0.7], None, "finite"),
    ([200.0, 300.0, 400.0], [0.9, 0.8], None, "equal length"),
    ([200.0, 300.0, 400.0], [0.9, 0.8, 0.7], [0.01, 0.0, 0.01], "barrier_errors"),
])
def test_invalid_lines_raise(temperatures, barriers, errors, message):
    with pytest.raises(ValueError, match=message):
        activation_parameters(temperatures, barriers, errors)


def test_transition_frequency_known_values():
    temperature = 300.0
    assert transition_frequency(0.0, temperature) == pytest.approx(2e12)
    assert transition_frequency(BOLTZMANN * temperature * np.log(10), temperature) == pytest.approx(2e11)
    assert transition_frequency(0.0, temperature, attempt_frequency=1e13) == pytest.approx(1e13)


def test_transition_frequency_broadcasts_and_splits_into_entropy_and_energy():
    temperature = TEMPERATURES[:, None]
    frequency = transition_frequency(free_energy_line(temperature), temperature)
    assert frequency.shape == (6, 1)
    eq8 = 2e12 * np.exp(ACTIVATION_ENTROPY) * np.exp(-ACTIVATION_ENERGY / (BOLTZMANN * temperature))
    np.testing.assert_allclose(frequency, eq8, rtol=1e-10)   # Eq. 8
    assert transition_frequency(np.array([0.5, 0.8, 1.0]), temperature).shape == (6, 3)


@pytest.mark.parametrize("temperature, attempt", [(0.0, 2e12), (-300.0, 2e12), (300.0, 0.0)])
def test_transition_frequency_rejects_non_positive_input(temperature, attempt):
    with pytest.raises(ValueError, match="positive"):
        transition_frequency(0.5, temperature, attempt_frequency=attempt)


def test_lognormal_fit_recovers_median_and_log_sd():
    shape, median, n = 0.3, 0.7, 2000
    barriers = lognorm.rvs(shape, scale=median, size=n, random_state=np.random.default_rng(4))
    fit = fit_lognormal(barriers)
    assert isinstance(fit, LogNormalFit)
    assert abs(fit.median - median) < 3 * fit.median_error
    assert abs(fit.log_sd - shape) < 3 * fit.log_sd_error
    assert fit.log_mean == pytest.approx(np.log(fit.median))
    assert fit.log_mean == pytest.approx(np.mean(np.log(barriers)), rel=1e-6)   # the MLE in closed form
    assert fit.log_sd == pytest.approx(np.std(np.log(barriers)), rel=1e-6)
    assert fit.log_mean_error == pytest.approx(fit.log_sd / np.sqrt(n))
    assert fit.log_sd_error == pytest.approx(fit.log_sd / np.sqrt(2 * n))
    assert fit.mean == pytest.approx(fit.median * np.exp(fit.log_sd**2 / 2))
    assert fit.sd == pytest.approx(fit.mean * np.sqrt(np.exp(fit.log_sd**2) - 1))
    assert fit.n == n and fit.ks_pvalue > 0.05


def test_lognormal_fit_rejects_a_uniform_spectrum():
    barriers = np.random.default_rng(5).uniform(0.5, 1.5, 2000)
    assert fit_lognormal(barriers).ks_pvalue < 1e-6


@pytest.mark.parametrize("barriers, message", [
    ([0.5, 0.0, 0.7], "positive"),
    ([0.5, -0.1, 0.7], "positive"),
    ([0.5, 0.7], "at least 3"),
    ([0.5, np.inf, 0.7], "finite"),
])
def test_lognormal_fit_rejects_bad_spectra(barriers, message):
    with pytest.raises(ValueError, match=message):
        fit_lognormal(barriers)


@pytest.mark.parametrize("offset", [0.0, 1e3])   # the offset tests against cancellation
def test_running_statistics_equal_those_of_the_prefixes(offset):
    barriers = seeded_spectrum(60, seed=6) + offset
    result = running_statistics(barriers)
    np.testing.assert_array_equal(result.n, np.arange(1, 61))
    np.testing.assert_allclose(result.mean, [barriers[:n].mean() for n in range(1, 61)], rtol=1e-12)
    sd = [barriers[:n].std(ddof=1) for n in range(2, 61)]
    np.testing.assert_allclose(result.sd[1:], sd, rtol=1e-9)
    np.testing.assert_allclose(result.sem[1:], sd / np.sqrt(np.arange(2, 61)), rtol=1e-9)
    assert np.isnan(result.sd[0]) and np.isnan(result.sem[0])


@pytest.mark.parametrize("call", [
    lambda: single_barrier([], 300.0),
    lambda: single_barrier([0.5, np.nan], 300.0),
    lambda: single_barrier([[0.5, 0.6]], 300.0),
    lambda: single_barrier([0.5], 0.0),
    lambda: bootstrap_single_barrier([0.5], 300.0),
    lambda: bootstrap_single_barrier([0.5, 0.6], 300.0, confidence=1.0),
    lambda: running_statistics([]),
])
def test_invalid_spectra_raise(call):
    with pytest.raises(ValueError):
        call()
