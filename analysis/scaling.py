"""Power-law scaling y = A x^b fitted as a straight line in log-log coordinates.

Used for the scaling of the loss angle with the inherent-structure minimal
displacement, delta = A (IS D_min / r0)^b (Yu et al. Eq. 1), where both variables
are sample means with errors. x and y may carry any units; A comes back in units of
y / x^b, b is dimensionless.

The errors-in-variables fit is written with scipy.optimize.least_squares: scipy.odr,
which would do the same orthogonal-distance fit, is deprecated since SciPy 1.17.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares
from scipy.stats import t as student_t

MIN_POINTS = 3
"""Least number of points: two parameters plus one degree of freedom for their errors."""


@dataclass(frozen=True)
class PowerLawFit:
    """y = prefactor * x**exponent from the line log y = log A + b log x.

    prefactor, exponent : A and b.
    prefactor_error, exponent_error : standard errors (that of A is A times that of log A),
        scaled by the scatter of the points (see fit_power_law).
    prefactor_interval, exponent_interval : (low, high) confidence intervals from the
        Student t distribution with n - 2 degrees of freedom; A's is exp of that of log A.
    confidence : level of the intervals.
    n_points : number of points fitted.
    r_squared : coefficient of determination of the (weighted) log-log fit.
    reduced_chi_square : weighted sum of squared residuals / (n - 2); near 1 when the
        points scatter as much as their errors say (with errors given).
    """

    prefactor: float
    prefactor_error: float
    prefactor_interval: tuple
    exponent: float
    exponent_error: float
    exponent_interval: tuple
    confidence: float
    n_points: int
    r_squared: float
    reduced_chi_square: float


def fit_power_law(x, y, *, x_error=None, y_error=None, confidence=0.95) -> PowerLawFit:
    """Fit y = A x^b with errors in both variables, on log axes.

    With u = log x, v = log y and their errors s_u = x_error / x, s_v = y_error / y,
    minimises the effective-variance sum

        chi2(a, b) = sum_i (v_i - a - b u_i)^2 / (s_v,i^2 + b^2 s_u,i^2),

    which for a straight line is the orthogonal-distance (errors-in-variables)
    objective with the unknown true abscissae eliminated. A variable without errors
    is taken as exact; without either, this is ordinary least squares of log y on
    log x.

    The covariance of (log A, b) is the Gauss-Newton one, (J^T J)^-1 of the weighted
    residuals, scaled by chi2 / (n - 2): only the relative errors matter, which keeps
    the Student t intervals valid when the points scatter beyond their errors (or the
    errors are only known to a common factor).

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Positive data, n >= 3.
    x_error, y_error : array_like, shape (n,), optional
        Standard errors of x and y (units of x and y), finite and positive.
    confidence : float
        Level of the confidence intervals, in (0, 1).

    Returns
    -------
    PowerLawFit

    Raises
    ------
    ValueError
        For fewer than 3 points, non-positive or non-finite values or errors, shapes
        that differ, a confidence outside (0, 1), or a fit that does not converge.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    _check_data(x, y, confidence)
    log_x, log_y = np.log(x), np.log(y)
    sigma_x, sigma_y = _log_errors(x, x_error, "x_error"), _log_errors(y, y_error, "y_error")
    if x_error is None and y_error is None:
        sigma_y = np.ones_like(y)
    line = _EffectiveVarianceLine(log_x, log_y, sigma_x, sigma_y)
    start = np.polyfit(log_x, log_y, 1)[::-1]
    solution = least_squares(line.residuals, start, jac=line.jacobian, method="lm",
                             xtol=1e-15, ftol=1e-15, gtol=1e-15)
    if not solution.success:
        raise ValueError(f"the power-law fit did not converge: {solution.message}")
    log_a, b = solution.x
    degrees_of_freedom = x.size - 2
    reduced_chi_square = float(np.sum(solution.fun**2) / degrees_of_freedom)
    covariance = np.linalg.inv(solution.jac.T @ solution.jac) * reduced_chi_square
    log_a_error, b_error = np.sqrt(np.diag(covariance))
    t_quantile = student_t.ppf(0.5 + confidence / 2, degrees_of_freedom)
    prefactor = np.exp(log_a)
    return PowerLawFit(
        prefactor=float(prefactor),
        prefactor_error=float(prefactor * log_a_error),
        prefactor_interval=(float(np.exp(log_a - t_quantile * log_a_error)),
                            float(np.exp(log_a + t_quantile * log_a_error))),
        exponent=float(b),
        exponent_error=float(b_error),
        exponent_interval=(float(b - t_quantile * b_error), float(b + t_quantile * b_error)),
        confidence=confidence,
        n_points=x.size,
        r_squared=line.r_squared(log_a, b),
        reduced_chi_square=reduced_chi_square,
    )


class _EffectiveVarianceLine:
    """Weighted residuals r_i = (v_i - a - b u_i) / w_i(b), w_i^2 = s_v,i^2 + b^2 s_u,i^2,
    of the line v = a + b u, and their Jacobian with respect to (a, b)."""

    def __init__(self, u, v, sigma_u, sigma_v):
        self.u, self.v, self.sigma_u, self.sigma_v = u, v, sigma_u, sigma_v

    def weights(self, b):
        return np.sqrt(self.sigma_v**2 + b**2 * self.sigma_u**2)

    def residuals(self, parameters):
        a, b = parameters
        return (self.v - a - b * self.u) / self.weights(b)

    def jacobian(self, parameters):
        a, b = parameters
        weights = self.weights(b)
        residuals = self.residuals(parameters)
        d_b = -self.u / weights - residuals * b * self.sigma_u**2 / weights**2
        return np.column_stack([-1.0 / weights, d_b])

    def r_squared(self, a, b):
        weight = self.weights(b) ** -2.0
        mean = np.average(self.v, weights=weight)
        residual = np.sum(weight * (self.v - a - b * self.u) ** 2)
        return float(1.0 - residual / np.sum(weight * (self.v - mean) ** 2))


def _log_errors(values, errors, name):
    """Errors of log(values): errors / values; zeros where no errors are given."""
    if errors is None:
        return np.zeros_like(values)
    errors = np.asarray(errors, dtype=float)
    if errors.shape != values.shape:
        raise ValueError(f"{name} must have the shape of the data {values.shape}, "
                         f"got {errors.shape}")
    if not np.all(np.isfinite(errors) & (errors > 0)):
        raise ValueError(f"{name} must be finite and positive")
    return errors / values


def _check_data(x, y, confidence):
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"x and y must be 1-D of equal length, got {x.shape} and {y.shape}")
    if x.size < MIN_POINTS:
        raise ValueError(f"a power law needs at least {MIN_POINTS} points, got {x.size}")
    if not np.all(np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)):
        raise ValueError("x and y must be finite and positive to be fitted on a log-log scale")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
