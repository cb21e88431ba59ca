"""Tg against cooling rate: the line Tg = a + b log10(q) through per-sample Tg values.

Tg from the change of slope of V(T) or E(T) (Fusco's review, Sec. III.A.3, where MD
cooling rates of 1e8-1e14 K/s lie far above experiment's) falls as the cooling rate q
falls (Qiao et al., Prog. Mater. Sci. 104, 250 (2019), Sec. 2). Over the few decades an
MD campaign spans, a line in log10(q) is the usual empirical form (an assumption: the
reduced chi-square says how well it holds). The papers quench at 1e10 K/s, slower than
most MD campaigns, so a campaign fits the line to its own rates and extrapolates it
there. Each sample's Tg at each rate is one point, weighted by its own uncertainty
where every point has one.
"""

from dataclasses import dataclass

import numpy as np
from scipy import stats

MIN_RATES = 3
"""Distinct cooling rates a line needs: through two, the scatter of the means about it
says nothing about whether Tg is linear in log10(q)."""

CONFIDENCE = 0.95


@dataclass(frozen=True)
class RateMean:
    """Tg at one cooling rate averaged over samples (unit of the Tg given).

    tg_error : standard error of the mean, sd over samples (n - 1) / sqrt(n); NaN for
    one sample.
    """

    cooling_rate: float
    tg: float
    tg_error: float
    n_samples: int


def mean_tg_per_rate(cooling_rate, tg) -> list[RateMean]:
    """The mean Tg over samples at each distinct ``cooling_rate``, slowest first."""
    q, y = np.asarray(cooling_rate, float), np.asarray(tg, float)
    means = []
    for rate in np.unique(q):
        values = y[q == rate]
        error = float(stats.sem(values)) if values.size > 1 else np.nan
        means.append(RateMean(float(rate), float(values.mean()), error, int(values.size)))
    return means


@dataclass(frozen=True)
class RateLine:
    """Least-squares line Tg = tg_reference + slope (log10 q - log10 reference_rate).

    slope : Tg per decade of cooling rate (unit of Tg); slope_error : its standard error.
    reference_rate : the rate the line is extrapolated to (unit of the rates given).
    tg_reference : Tg of the line there; tg_reference_error : its standard error;
    tg_reference_low, tg_reference_high : the Student t CONFIDENCE interval of the line
        there, with n_points - 2 degrees of freedom.
    covariance : of (slope, tg_reference), scaled by the reduced chi-square: the weights
        set only the points' relative sizes, the scatter about the line sets the scale
        (sample-to-sample variation of Tg is not in a single quench's uncertainty).
    reduced_chi_square : sum((residual / uncertainty)^2) / (n_points - 2), about 1 where
        the stated uncertainties explain the scatter; NaN for an unweighted fit.
    weighted : whether each point had a finite positive uncertainty (else all weigh 1).
    """

    slope: float
    slope_error: float
    reference_rate: float
    tg_reference: float
    tg_reference_error: float
    tg_reference_low: float
    tg_reference_high: float
    covariance: np.ndarray
    t_quantile: float
    n_points: int
    n_rates: int
    degrees_of_freedom: int
    reduced_chi_square: float
    weighted: bool

    def tg_at(self, cooling_rate) -> tuple[np.ndarray, np.ndarray]:
        """Tg of the line at ``cooling_rate`` (array) and the half-width of its
        CONFIDENCE interval there (unit of Tg)."""
        design = np.column_stack([_decades(cooling_rate, self.reference_rate),
                                  np.ones(np.size(cooling_rate))])
        tg = design @ np.array([self.slope, self.tg_reference])
        variance = np.einsum("ij,jk,ik->i", design, self.covariance, design)
        return tg, self.t_quantile * np.sqrt(variance)


def fit_rate_line(cooling_rate, tg, tg_error=None, reference_rate=1.0e10) -> RateLine:
    """Fit Tg = a + b log10(q) to per-sample points and extrapolate it to ``reference_rate``.

    Parameters
    ----------
    cooling_rate, tg : array_like, shape (n,)
        The quench rate of each point (K/s for metal models) and its Tg (K).
    tg_error : array_like, shape (n,), optional
        Each Tg's uncertainty: the weights 1 / tg_error^2 where all are finite and
        positive; otherwise every point weighs the same (``weighted`` False).
    reference_rate : float
        Rate the line is extrapolated to (the papers' 1e10 K/s).

    Raises
    ------
    ValueError
        Fewer than MIN_RATES distinct rates, a rate not positive or a value not finite.
    """
    q, y = np.asarray(cooling_rate, float), np.asarray(tg, float)
    if not (np.all(np.isfinite(q)) and np.all(q > 0) and np.all(np.isfinite(y))):
        raise ValueError("cooling rates must be positive and Tg finite")
    n_rates = np.unique(q).size
    if n_rates < MIN_RATES:
        raise ValueError(f"Tg at {n_rates} distinct cooling rate(s): a line in log10(rate) "
                         f"needs at least {MIN_RATES}")
    sigma = None if tg_error is None else np.asarray(tg_error, float)
    weighted = sigma is not None and bool(np.all(np.isfinite(sigma)) and np.all(sigma > 0))
    sigma = sigma if weighted else np.ones_like(y)
    x = _decades(q, reference_rate)
    coefficients, covariance = np.polyfit(x, y, 1, w=1 / sigma, cov=True)
    dof = y.size - 2
    chi_square = float(np.sum(((y - np.polyval(coefficients, x)) / sigma) ** 2))
    t_quantile = float(stats.t.ppf(0.5 + CONFIDENCE / 2, dof))
    slope, tg_reference = (float(c) for c in coefficients)
    tg_reference_error = float(np.sqrt(covariance[1, 1]))
    return RateLine(slope=slope, slope_error=float(np.sqrt(covariance[0, 0])),
                    reference_rate=float(reference_rate), tg_reference=tg_reference,
                    tg_reference_error=tg_reference_error,
                    tg_reference_low=tg_reference - t_quantile * tg_reference_error,
                    tg_reference_high=tg_reference + t_quantile * tg_reference_error,
                    covariance=covariance, t_quantile=t_quantile, n_points=int(y.size),
                    n_rates=int(n_rates), degrees_of_freedom=dof,
                    reduced_chi_square=chi_square / dof if weighted else np.nan,
                    weighted=weighted)


def _decades(cooling_rate, reference_rate):
    """log10(q / reference_rate): decades of cooling rate above the reference."""
    return np.log10(np.asarray(cooling_rate, float)) - np.log10(reference_rate)
