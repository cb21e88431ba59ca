"""Power-law scaling y = A x^b fitted as a straight line in log-log coordinates.

Used for the scaling of the loss angle with the inherent-structure minimal
displacement, delta = A (IS D_min / r0)^b (Yu et al.). x and y may carry any
units; A comes back in units of y / x^b, b is dimensionless.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import curve_fit
from scipy.stats import t as student_t

MIN_POINTS = 3
"""Least number of points: two parameters plus one degree of freedom for their errors."""


@dataclass(frozen=True)
class PowerLawFit:
    """y = prefactor * x**exponent from a least-squares line log y = log A + b log x.

    prefactor, exponent : A and b.
    prefactor_error, exponent_error : standard errors (that of A is A times that of log A).
    prefactor_interval, exponent_interval : (low, high) confidence intervals from the
        Student t distribution with n - 2 degrees of freedom; A's is exp of that of log A.
    confidence : level of the intervals.
    n_points : number of points fitted.
    r_squared : coefficient of determination of the (weighted) log-log fit.
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


def fit_power_law(x, y, y_error=None, confidence=0.95) -> PowerLawFit:
    """Fit y = A x^b by least squares on log y against log x.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Positive data, n >= 3.
    y_error : array_like, shape (n,), optional
        Standard errors of y; the points are weighted by 1 / sigma_log^2 with
        sigma_log = y_error / y. Only the relative weights matter: the parameter
        errors are scaled by the scatter of the residuals either way, which keeps
        the Student t intervals valid when the points scatter beyond their errors.
    confidence : float
        Level of the confidence intervals, in (0, 1).

    Returns
    -------
    PowerLawFit

    Raises
    ------
    ValueError
        For fewer than 3 points, non-positive or non-finite values, shapes that differ,
        or a confidence outside (0, 1).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    y_error = None if y_error is None else np.asarray(y_error, dtype=float)
    _check_data(x, y, y_error, confidence)
    sigma = None if y_error is None else y_error / y
    log_x, log_y = np.log(x), np.log(y)
    (log_a, b), covariance = curve_fit(_line, log_x, log_y, sigma=sigma)
    log_a_error, b_error = np.sqrt(np.diag(covariance))
    t_quantile = student_t.ppf(0.5 + confidence / 2, x.size - 2)
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
        r_squared=_r_squared(log_y, _line(log_x, log_a, b), sigma),
    )


def _line(u, intercept, slope):
    return intercept + slope * u


def _check_data(x, y, y_error, confidence):
    if x.ndim != 1 or x.shape != y.shape or (y_error is not None and y_error.shape != x.shape):
        raise ValueError(f"x, y (and y_error) must be 1-D of equal length, got {x.shape} and {y.shape}")
    if x.size < MIN_POINTS:
        raise ValueError(f"a power law needs at least {MIN_POINTS} points, got {x.size}")
    if not np.all(np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)):
        raise ValueError("x and y must be finite and positive to be fitted on a log-log scale")
    if y_error is not None and not np.all(np.isfinite(y_error) & (y_error > 0)):
        raise ValueError("y_error must be finite and positive")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")


def _r_squared(observed, fitted, sigma):
    weight = 1.0 if sigma is None else sigma**-2.0
    mean = np.average(observed, weights=np.broadcast_to(weight, observed.shape))
    return float(1.0 - np.sum(weight * (observed - fitted) ** 2) / np.sum(weight * (observed - mean) ** 2))
