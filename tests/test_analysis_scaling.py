"""Power-law fits in log-log coordinates against exact, simulated, linregress, Deming and
full orthogonal-distance results."""

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.stats import linregress

from analysis.scaling import PowerLawFit, fit_power_law

PREFACTOR, EXPONENT = 0.03, 1.7   # e.g. loss angle delta = A (IS D_min / r0)^b


def noisy_power_law(n_points, log_sd, seed):
    """Points on A x^b with log-normal noise of sd ``log_sd`` (in log y), x spread over a decade."""
    rng = np.random.default_rng(seed)
    x = np.geomspace(0.2, 2.0, n_points)
    return x, PREFACTOR * x**EXPONENT * np.exp(rng.normal(0.0, log_sd, n_points))


def test_exact_power_law_is_recovered():
    x = np.array([0.2, 0.5, 1.0, 2.0, 5.0])
    fit = fit_power_law(x, PREFACTOR * x**EXPONENT)
    assert isinstance(fit, PowerLawFit)
    assert fit.prefactor == pytest.approx(PREFACTOR, rel=1e-10)
    assert fit.exponent == pytest.approx(EXPONENT, rel=1e-10)
    assert fit.exponent_error == pytest.approx(0.0, abs=1e-10)
    assert fit.r_squared == pytest.approx(1.0)
    assert fit.n_points == 5 and fit.confidence == 0.95


def test_unweighted_fit_is_linear_regression_of_the_logarithms():
    x, y = noisy_power_law(12, 0.1, seed=0)
    fit = fit_power_law(x, y, confidence=0.9)
    reference = linregress(np.log(x), np.log(y))
    assert fit.exponent == pytest.approx(reference.slope, rel=1e-9)
    assert fit.exponent_error == pytest.approx(reference.stderr, rel=1e-6)
    assert fit.prefactor == pytest.approx(np.exp(reference.intercept), rel=1e-9)
    assert fit.prefactor_error == pytest.approx(fit.prefactor * reference.intercept_stderr, rel=1e-6)
    assert fit.r_squared == pytest.approx(reference.rvalue**2, rel=1e-9)
    low, high = fit.exponent_interval
    assert low < EXPONENT < high
    assert high - fit.exponent == pytest.approx(fit.exponent - low)
    low, high = fit.prefactor_interval
    assert low < PREFACTOR < high
    assert high / fit.prefactor == pytest.approx(fit.prefactor / low)   # symmetric in log A


def test_confidence_intervals_cover_the_true_values_at_their_level():
    fits = [fit_power_law(*noisy_power_law(5, 0.2, seed)) for seed in range(400)]
    covered = [(fit.exponent_interval[0] < EXPONENT < fit.exponent_interval[1],
                fit.prefactor_interval[0] < PREFACTOR < fit.prefactor_interval[1]) for fit in fits]
    np.testing.assert_allclose(np.mean(covered, axis=0), 0.95, atol=0.03)   # 3 binomial sd


def test_intervals_shrink_with_more_points():
    few, many = (fit_power_law(*noisy_power_law(n, 0.1, seed=1)) for n in (6, 60))
    width = {n: fit.exponent_interval[1] - fit.exponent_interval[0] for n, fit in ((6, few), (60, many))}
    assert width[60] < 0.4 * width[6]
    assert np.ptp(many.prefactor_interval) < np.ptp(few.prefactor_interval)


def test_errors_weight_the_points():
    x = np.array([0.2, 0.4, 0.7, 1.0, 1.5, 2.0])
    y = PREFACTOR * x**EXPONENT * np.array([1.0, 1.02, 0.98, 1.01, 0.99, 3.0])   # last point off
    relative = fit_power_law(x, y, y_error=0.1 * y)
    assert relative.exponent == pytest.approx(fit_power_law(x, y).exponent, rel=1e-9)
    discounted = fit_power_law(x, y, y_error=y * np.array([0.02] * 5 + [100.0]))
    assert discounted.exponent == pytest.approx(EXPONENT, abs=0.05)
    assert relative.exponent - EXPONENT > 0.25   # pulled up by the outlier


def errors_in_both(n_points, log_sd_x, log_sd_y, rng):
    """Points whose log x and log y both scatter (sd log_sd_x, log_sd_y) about the law."""
    x_true = np.geomspace(0.2, 2.0, n_points)
    x = x_true * np.exp(rng.normal(0.0, log_sd_x, n_points))
    y = PREFACTOR * x_true**EXPONENT * np.exp(rng.normal(0.0, log_sd_y, n_points))
    return x, y


def test_constant_errors_give_deming_regression():
    # Constant log errors: the errors-in-variables line is Deming regression, in closed form.
    x, y = errors_in_both(10, 0.1, 0.2, np.random.default_rng(2))
    fit = fit_power_law(x, y, x_error=0.1 * x, y_error=0.2 * y)
    u, v = np.log(x), np.log(y)
    ratio = (0.2 / 0.1) ** 2
    s_uu, s_vv, s_uv = np.var(u), np.var(v), np.cov(u, v, bias=True)[0, 1]
    slope = (s_vv - ratio * s_uu + np.sqrt((s_vv - ratio * s_uu) ** 2 + 4 * ratio * s_uv**2)) \
        / (2 * s_uv)
    assert fit.exponent == pytest.approx(slope, rel=1e-9)
    assert fit.prefactor == pytest.approx(np.exp(v.mean() - slope * u.mean()), rel=1e-9)


def test_unequal_errors_give_the_orthogonal_distance_optimum():
    # The full errors-in-variables problem, minimised over (log A, b) and the true log x.
    rng = np.random.default_rng(3)
    x, y = errors_in_both(8, 0.1, 0.1, rng)
    x_error, y_error = x * rng.uniform(0.05, 0.2, 8), y * rng.uniform(0.05, 0.2, 8)
    u, v, s_u, s_v = np.log(x), np.log(y), x_error / x, y_error / y

    def chi_square(parameters):
        a, b, true_u = parameters[0], parameters[1], parameters[2:]
        return np.sum(((u - true_u) / s_u) ** 2 + ((v - a - b * true_u) / s_v) ** 2)

    optimum = minimize(chi_square, np.r_[np.log(PREFACTOR), EXPONENT, u], method="BFGS",
                       options={"gtol": 1e-10})
    fit = fit_power_law(x, y, x_error=x_error, y_error=y_error)
    assert fit.exponent == pytest.approx(optimum.x[1], rel=1e-6)
    assert np.log(fit.prefactor) == pytest.approx(optimum.x[0], rel=1e-6)
    assert fit.reduced_chi_square == pytest.approx(optimum.fun / 6, rel=1e-6)


def test_errors_in_both_variables_interval_covers_and_removes_the_attenuation():
    # Log x scatters as much as log y (sd 0.25, against an sd of 0.74 of the true log x):
    # a fit in y alone is biased towards 0 by about 10 %, the errors-in-variables fit is
    # not (its median: the estimator is a ratio with heavy tails in small samples).
    rng = np.random.default_rng(4)
    sd = 0.25
    samples = [errors_in_both(8, sd, sd, rng) for _ in range(400)]
    fits = [fit_power_law(x, y, x_error=sd * x, y_error=sd * y) for x, y in samples]
    covered = [fit.exponent_interval[0] < EXPONENT < fit.exponent_interval[1] for fit in fits]
    assert np.mean(covered) == pytest.approx(0.95, abs=0.035)   # 3 binomial sd
    assert np.median([fit.exponent for fit in fits]) == pytest.approx(EXPONENT, abs=0.05)
    y_only = [fit_power_law(x, y, y_error=sd * y).exponent for x, y in samples]
    assert np.mean(y_only) < EXPONENT - 0.07   # its standard error: 0.012


@pytest.mark.parametrize("x, y, errors, message", [
    ([1.0, 2.0], [1.0, 2.0], {}, "at least 3 points"),
    ([1.0, 2.0, 3.0], [1.0, 0.0, 2.0], {}, "positive"),
    ([-1.0, 2.0, 3.0], [1.0, 1.0, 2.0], {}, "positive"),
    ([1.0, 2.0, 3.0], [1.0, 1.5, 2.0], {"y_error": [0.1, 0.0, 0.1]}, "y_error"),
    ([1.0, 2.0, 3.0], [1.0, 1.5, 2.0], {"x_error": [0.1, np.nan, 0.1]}, "x_error"),
    ([1.0, 2.0, 3.0], [1.0, 1.5, 2.0], {"x_error": [0.1, 0.1]}, "shape"),
    ([1.0, 2.0, 3.0], [1.0, 1.5], {}, "equal length"),
])
def test_invalid_data_raise(x, y, errors, message):
    with pytest.raises(ValueError, match=message):
        fit_power_law(x, y, **errors)
