"""Atomic mobility: diffusion coefficient and a did-it-melt check."""

from dataclasses import dataclass

import numpy as np
from scipy.stats import linregress

DEFAULT_FIT_START_FRACTION = 0.5
"""Fit the MSD over the second half of the time span (past the ballistic/caging regime)."""

DEFAULT_LIQUID_FACTOR = 1.0
"""Liquid if MSD > (factor x d_nn)^2, i.e. atoms on average left their first shell.

A superheated crystal only vibrates (MSD ~ 0.1-0.3 A^2 against d_nn^2 ~ 7 A^2 for
Cu-Zr), whereas the Cu-Zr liquid at 2000 K reaches tens of A^2 within 20 ps."""


@dataclass(frozen=True)
class Diffusion:
    """D from MSD = 6 D t + c (units length**2 / time of the inputs).

    coefficient, uncertainty : D and its standard error from the least-squares fit.
    intercept, intercept_uncertainty : c (length**2) and its standard error.
    n_points : number of MSD points fitted.
    """

    coefficient: float
    uncertainty: float
    intercept: float
    intercept_uncertainty: float
    n_points: int


@dataclass(frozen=True)
class LiquidCheck:
    """Outcome of the melting criterion MSD > threshold (both length**2)."""

    msd_final: float
    threshold: float
    passed: bool
    reason: str


def diffusion_from_msd(time, msd, fit_start_fraction=DEFAULT_FIT_START_FRACTION):
    """Einstein diffusion coefficient from a linear fit to the late-time 3-D MSD.

    Parameters
    ----------
    time : array_like, shape (n,)
        Lag times (any order).
    msd : array_like, shape (n,)
        Mean squared displacement at those times (length**2).
    fit_start_fraction : float
        Fit only points with t >= t_min + fraction * (t_max - t_min).

    Returns
    -------
    Diffusion
        The standard errors assume independent residuals; successive MSD points
        are correlated, so they are a lower bound on the true uncertainty.
    """
    t = np.asarray(time, dtype=float)
    y = np.asarray(msd, dtype=float)
    if t.ndim != 1 or t.shape != y.shape:
        raise ValueError(f"time and msd must be 1-D of equal length, got {t.shape} and {y.shape}")
    late = t >= t.min() + fit_start_fraction * (t.max() - t.min())
    if late.sum() < 3:
        raise ValueError(f"only {late.sum()} MSD points in the fit range; need at least 3")
    fit = linregress(t[late], y[late])
    return Diffusion(
        coefficient=float(fit.slope / 6.0),
        uncertainty=float(fit.stderr / 6.0),
        intercept=float(fit.intercept),
        intercept_uncertainty=float(fit.intercept_stderr),
        n_points=int(late.sum()),
    )


def check_liquid(msd_final, nearest_neighbour_distance, factor=DEFAULT_LIQUID_FACTOR):
    """Whether atoms moved like a liquid during a hold: MSD > (factor * d_nn)**2.

    Parameters
    ----------
    msd_final : float
        MSD at the end of the hold (length**2).
    nearest_neighbour_distance : float
        First-shell distance d_nn, e.g. the first peak of g(r) (length).
    factor : float
        Required root-mean-square displacement in units of d_nn.

    Returns
    -------
    LiquidCheck
    """
    if nearest_neighbour_distance <= 0 or factor <= 0:
        raise ValueError("nearest_neighbour_distance and factor must be positive")
    threshold = (factor * nearest_neighbour_distance) ** 2
    passed = bool(msd_final > threshold)
    verdict = "has left" if passed else "has not left"
    comparison = ">" if passed else "<="
    reason = (f"MSD {msd_final:.3g} {comparison} ({factor:g} x {nearest_neighbour_distance:.3g})^2 = "
              f"{threshold:.3g}: the average atom {verdict} its first neighbour shell")
    return LiquidCheck(msd_final=float(msd_final), threshold=float(threshold), passed=passed, reason=reason)
