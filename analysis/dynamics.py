"""Atomic mobility: diffusion coefficient, a did-it-melt check, and F_s(q, t)."""

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


DEFAULT_MAX_ORIGINS = 100
"""Most time origins averaged per lag in F_s(q, t) (spread evenly over the run)."""

SPACING_TOLERANCE = 1e-6
"""Largest relative deviation of a frame interval from the mean one."""


@dataclass(frozen=True, eq=False)
class SelfIntermediateScattering:
    """F_s(q, t) averaged over atoms and time origins, at lags 0, dt, 2 dt, ...

    q : wavenumber (1 / length).
    lag : (n_lags,) lag times (time unit of the inputs).
    fs, fs_error : (n_lags,) F_s over all atoms and its standard error (the spread of
        the atoms' origin-averaged values / sqrt(N); correlations between atoms neglected).
    fs_by_type, fs_error_by_type : same per atom type; empty without types.
    n_origins : (n_lags,) number of time origins averaged at each lag.
    """

    q: float
    lag: np.ndarray
    fs: np.ndarray
    fs_error: np.ndarray
    fs_by_type: dict
    fs_error_by_type: dict
    n_origins: np.ndarray


def self_intermediate_scattering(times, positions, q, types=None, max_origins=DEFAULT_MAX_ORIGINS):
    """Isotropic self-intermediate scattering function (Fusco, Eq. 10).

    F_s(q, t) = < (1/N) sum_j sin(q |dr_j|) / (q |dr_j|) >, dr_j = r_j(t0 + t) - r_j(t0)
    minus the mean displacement of all atoms over the same interval (which removes
    the drift of the centre of mass when masses are equal), averaged over time
    origins t0. The sin(x)/x form is the orientational average of exp(i q.dr).

    Parameters
    ----------
    times : array_like, shape (F,)
        Equally spaced, increasing frame times (ps or tau).
    positions : array_like, shape (F, N, 3)
        Unwrapped Cartesian positions (length), same atom order in every frame.
    q : float
        Wavenumber (1 / length), typically the main peak of S(q).
    types : array_like, shape (N,), optional
        Atom types, for F_s per type.
    max_origins : int
        Most origins per lag, spread evenly over the F - lag available ones.

    Returns
    -------
    SelfIntermediateScattering

    Raises
    ------
    ValueError
        If the frames are not equally spaced in time or the shapes disagree.
    """
    t = np.asarray(times, dtype=float)
    x = np.asarray(positions, dtype=float)
    _check_trajectory(t, x)
    if max_origins < 1:
        raise ValueError(f"max_origins must be at least 1, got {max_origins}")
    per_atom = np.array([_origin_averaged_sinc(x, q, lag, max_origins) for lag in range(len(t))]).T
    groups = {} if types is None else {k: np.asarray(types) == k for k in np.unique(types).tolist()}
    by_type = {k: _atom_mean(per_atom[mask]) for k, mask in groups.items()}
    fs, fs_error = _atom_mean(per_atom)
    return SelfIntermediateScattering(
        q=float(q),
        lag=t - t[0],
        fs=fs,
        fs_error=fs_error,
        fs_by_type={k: mean for k, (mean, _) in by_type.items()},
        fs_error_by_type={k: error for k, (_, error) in by_type.items()},
        n_origins=np.minimum(len(t) - np.arange(len(t)), max_origins),
    )


def _check_trajectory(t, x):
    if t.ndim != 1 or t.size < 2 or x.ndim != 3 or x.shape[0] != t.size or x.shape[2] != 3:
        raise ValueError(f"need times (F,) with F >= 2 and positions (F, N, 3), got {t.shape} and {x.shape}")
    steps = np.diff(t)
    if steps.mean() <= 0 or np.ptp(steps) > SPACING_TOLERANCE * steps.mean():
        raise ValueError(f"frame times must be increasing and equally spaced; intervals range from "
                         f"{steps.min():.6g} to {steps.max():.6g}")


def _origins(n_available, max_origins):
    """Up to max_origins frame indices spread evenly over range(n_available)."""
    return np.round(np.linspace(0, n_available - 1, min(n_available, max_origins))).astype(int)


def _origin_averaged_sinc(x, q, lag, max_origins):
    """(N,) mean over origins of sin(q |dr|) / (q |dr|) at one lag, drift removed."""
    start = _origins(len(x) - lag, max_origins)
    displacement = x[start + lag] - x[start]
    displacement -= displacement.mean(axis=1, keepdims=True)
    return np.sinc(q * np.linalg.norm(displacement, axis=2) / np.pi).mean(axis=0)


def _atom_mean(values):
    """Mean over atoms (axis 0) and its standard error."""
    return values.mean(axis=0), values.std(axis=0, ddof=1) / np.sqrt(len(values))
