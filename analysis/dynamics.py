"""Atomic mobility: diffusion coefficient, a did-it-melt check, and F_s(q, t)."""

from dataclasses import dataclass

import numpy as np
from scipy.integrate import trapezoid
from scipy.special import gamma, gammaincc
from scipy.stats import linregress

from analysis.relaxation import fit_kww

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

DEFAULT_BLOCKS = 5
"""Contiguous blocks of time origins whose spread gives the errors of F_s(q, t): each error
has 4 degrees of freedom (itself uncertain by about 1 / sqrt(2 x 4) = 35 %)."""

SPACING_TOLERANCE = 1e-6
"""Largest relative deviation of a frame interval from the mean one."""

DEFAULT_PLATEAU_LEVEL = 0.9
"""F_s above this (the short-time vibrational decay) is left out of the KWW fit."""

DEFAULT_DECAYED_LEVEL = 0.1
"""The measured F_s is integrated up to where it first falls below this; the KWW tail beyond."""


@dataclass(frozen=True, eq=False)
class SelfIntermediateScattering:
    """F_s(q, t) averaged over atoms and time origins, at lags 0, dt, 2 dt, ...

    q : wavenumber (1 / length).
    lag : (n_lags,) lag times (time unit of the inputs).
    fs : (n_lags,) F_s over all atoms and time origins.
    fs_by_block : (n_blocks, n_lags) F_s over all atoms and the origins of each of n_blocks
        contiguous blocks of the origins of that lag (sizes differing by at most one); NaN
        at lags where a block of origins spans fewer frames than the lag (the blocks'
        windows would overlap by more than half) or there are fewer origins than blocks.
    fs_error : (n_lags,) standard error of fs, sd over the blocks / sqrt(n_blocks)
        (``error_kind``); NaN where fs_by_block is.
    fs_by_type, fs_error_by_type : the same as fs, fs_error per atom type; empty without types.
    n_origins : (n_lags,) number of time origins averaged at each lag.
    n_blocks : number of blocks of time origins.
    error_kind : what fs_error is, in words.
    """

    q: float
    lag: np.ndarray
    fs: np.ndarray
    fs_by_block: np.ndarray
    fs_error: np.ndarray
    fs_by_type: dict
    fs_error_by_type: dict
    n_origins: np.ndarray
    n_blocks: int
    error_kind: str


def self_intermediate_scattering(times, positions, q, types=None, max_origins=DEFAULT_MAX_ORIGINS,
                                 n_blocks=DEFAULT_BLOCKS):
    """Isotropic self-intermediate scattering function (Fusco, Eq. 10) and its block errors.

    F_s(q, t) = < (1/N) sum_j sin(q |dr_j|) / (q |dr_j|) >, dr_j = r_j(t0 + t) - r_j(t0)
    minus the mean displacement of all atoms over the same interval (which removes
    the drift of the centre of mass when masses are equal), averaged over time
    origins t0. The sin(x)/x form is the orientational average of exp(i q.dr).

    The errors come from the spread of F_s over contiguous blocks of time origins, so
    they include the correlations between atoms (collective and heterogeneous motion)
    and between nearby origins.

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
    n_blocks : int
        Blocks of time origins for the errors (at least 2). Lags up to F / (n_blocks + 1)
        frames get errors.

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
    if max_origins < 1 or n_blocks < 2:
        raise ValueError(f"need max_origins >= 1 and n_blocks >= 2, got {max_origins} and "
                         f"{n_blocks}")
    n_origins = np.minimum(len(t) - np.arange(len(t)), max_origins)
    blocked = _has_independent_blocks(n_origins, n_blocks)
    groups = {"all": slice(None)}
    if types is not None:
        groups.update({k: np.asarray(types) == k for k in np.unique(types).tolist()})
    sums = {name: np.empty(len(t)) for name in groups}
    blocks = {name: np.full((n_blocks, len(t)), np.nan) for name in groups}
    for lag in range(len(t)):
        sinc = _sinc_by_origin(x, q, lag, max_origins)
        for name, atoms in groups.items():
            by_origin = sinc[:, atoms].mean(axis=1)
            sums[name][lag] = by_origin.mean()
            if blocked[lag]:
                blocks[name][:, lag] = [b.mean() for b in np.array_split(by_origin, n_blocks)]
    errors = {name: blocks[name].std(axis=0, ddof=1) / np.sqrt(n_blocks) for name in groups}
    by_type = [name for name in groups if name != "all"]
    return SelfIntermediateScattering(
        q=float(q),
        lag=t - t[0],
        fs=sums["all"],
        fs_by_block=blocks["all"],
        fs_error=errors["all"],
        fs_by_type={k: sums[k] for k in by_type},
        fs_error_by_type={k: errors[k] for k in by_type},
        n_origins=n_origins,
        n_blocks=n_blocks,
        error_kind=(f"sd over {n_blocks} contiguous blocks of time origins / sqrt({n_blocks}); "
                    f"NaN at lags over 1/{n_blocks + 1} of the run (where neighbouring blocks' "
                    "windows would overlap by more than half)"),
    )


def _check_trajectory(t, x):
    if t.ndim != 1 or t.size < 2 or x.ndim != 3 or x.shape[0] != t.size or x.shape[2] != 3:
        raise ValueError(f"need times (F,) with F >= 2 and positions (F, N, 3), got {t.shape} and {x.shape}")
    steps = np.diff(t)
    if steps.mean() <= 0 or np.ptp(steps) > SPACING_TOLERANCE * steps.mean():
        raise ValueError(f"frame times must be increasing and equally spaced; intervals range from "
                         f"{steps.min():.6g} to {steps.max():.6g}")


def _has_independent_blocks(n_origins, n_blocks):
    """(n_lags,) whether the F - lag origins of each lag split into n_blocks blocks of at
    least one origin that each span at least the lag (so that the time windows of
    neighbouring blocks share at most half their length)."""
    lag = np.arange(len(n_origins))
    n_available = len(n_origins) - lag
    return (n_available >= n_blocks * lag) & (n_origins >= n_blocks)


def _origins(n_available, max_origins):
    """Up to max_origins frame indices spread evenly over range(n_available)."""
    return np.round(np.linspace(0, n_available - 1, min(n_available, max_origins))).astype(int)


def _sinc_by_origin(x, q, lag, max_origins):
    """(n_origins, N) sin(q |dr|) / (q |dr|) at one lag, drift removed, origins in time order."""
    start = _origins(len(x) - lag, max_origins)
    displacement = x[start + lag] - x[start]
    displacement -= displacement.mean(axis=1, keepdims=True)
    return np.sinc(q * np.linalg.norm(displacement, axis=2) / np.pi)


class NoRelaxationError(ValueError):
    """F_s(q, t) does not decay enough within the lags with errors for a KWW fit."""


@dataclass(frozen=True)
class ScatteringRelaxation:
    """KWW fit A exp[-(t/tau)^beta] of F_s(q, t) and integral relaxation times (time unit
    of the lags).

    amplitude, tau, beta : the fit, weighted by the block errors of F_s.
    tau_integral : (tau / beta) Gamma(1 / beta), the integral of exp[-(t/tau)^beta] (the
        mean relaxation time of the normalised KWW).
    fs_integral : integral of the measured F_s over t >= 0, trapezoid rule up to
        integration_end, plus the fitted KWW's integral beyond it.
    fs_integral_kww : amplitude x tau_integral, the integral of the fitted KWW over t >= 0;
        it equals fs_integral where the KWW describes F_s down to t = 0 (the fit leaves
        out the short-time decay, so the amplitude need not be 1).
    integral_mismatch : fs_integral - fs_integral_kww; its own error, not those of the two
        (which are correlated), says whether the KWW accounts for the measured integral.
    *_error : 1 sd, delete-one-block jackknife over the blocks of time origins
        (``kww_error_kind``).
    integration_end : the lag up to which the measured F_s is integrated.
    fit_lag_min, fit_lag_max, n_lags_fitted : the range and number of lags fitted.
    """

    amplitude: float
    amplitude_error: float
    tau: float
    tau_error: float
    beta: float
    beta_error: float
    tau_integral: float
    tau_integral_error: float
    fs_integral: float
    fs_integral_error: float
    fs_integral_kww: float
    fs_integral_kww_error: float
    integral_mismatch: float
    integral_mismatch_error: float
    integration_end: float
    fit_lag_min: float
    fit_lag_max: float
    n_lags_fitted: int
    kww_error_kind: str


def fit_relaxation(scattering: SelfIntermediateScattering, plateau_level=DEFAULT_PLATEAU_LEVEL,
                   decayed_level=DEFAULT_DECAYED_LEVEL) -> ScatteringRelaxation:
    """KWW fit of F_s(q, t) and its integral relaxation times, with jackknife errors.

    The fit covers the lags t > 0 with block errors where F_s < plateau_level, each
    weighted by 1 / fs_error**2 (curve_fit's sigma). Its covariance is not used: F_s at
    neighbouring lags comes from the same trajectory and is strongly correlated, which a
    least-squares covariance (absolute or scaled) ignores. Instead the whole analysis
    (fit and integrals over the same lags) is repeated with each block of time origins
    left out in turn, which carries the correlations between lags and atoms.

    Raises
    ------
    NoRelaxationError
        If fewer than 4 lags qualify or F_s stays above 1/e over all of them.
    """
    lag, fs_error = scattering.lag, scattering.fs_error
    fitted = _fitted_lags(scattering, plateau_level)
    end = _integration_end(scattering, decayed_level)

    def estimates(fs):
        fit = fit_kww(lag[fitted], fs[fitted], errors=fs_error[fitted])
        tau_integral = _kww_integral(fit.tau, fit.beta, 0.0)
        tail = fit.amplitude * _kww_integral(fit.tau, fit.beta, lag[end])
        fs_integral = trapezoid(fs[:end + 1], lag[:end + 1]) + tail
        return {"amplitude": fit.amplitude, "tau": fit.tau, "beta": fit.beta,
                "tau_integral": tau_integral, "fs_integral": fs_integral,
                "fs_integral_kww": fit.amplitude * tau_integral,
                "integral_mismatch": fs_integral - fit.amplitude * tau_integral}

    values = estimates(scattering.fs)
    replicates = [estimates(fs) for fs in _leave_one_block_out(scattering.fs_by_block)]
    errors = {f"{name}_error": _jackknife_error([r[name] for r in replicates]) for name in values}
    n_blocks = scattering.n_blocks
    return ScatteringRelaxation(
        **{name: float(value) for name, value in {**values, **errors}.items()},
        integration_end=float(lag[end]), fit_lag_min=float(lag[fitted][0]),
        fit_lag_max=float(lag[fitted][-1]), n_lags_fitted=int(fitted.sum()),
        kww_error_kind=f"1 sd, jackknife leaving out each of {n_blocks} blocks of time origins "
                       f"({n_blocks - 1} degrees of freedom)")


def _fitted_lags(scattering, plateau_level):
    """(n_lags,) mask of the lags the KWW fit uses; NoRelaxationError if they are too few."""
    fs, error = scattering.fs, scattering.fs_error
    with_errors = np.isfinite(error) & (error > 0)
    fitted = with_errors & (scattering.lag > 0) & (fs < plateau_level)
    last_lag = scattering.lag[with_errors][-1] if with_errors.any() else 0.0
    if fitted.sum() < 4 or fs[fitted].min() > np.exp(-1.0):
        raise NoRelaxationError(
            f"F_s does not decay below 1/e within the lags with block errors (up to {last_lag:g}, "
            f"1 / (n_blocks + 1) of the run), or fewer than 4 of them lie below {plateau_level:g}: "
            "tau_alpha is too long for the run")
    return fitted


def _integration_end(scattering, decayed_level):
    """Index of the first lag with errors where F_s < decayed_level, else of the last one."""
    with_errors = np.nonzero(np.isfinite(scattering.fs_error))[0]
    decayed = with_errors[scattering.fs[with_errors] < decayed_level]
    return int(decayed[0] if decayed.size else with_errors[-1])


def _kww_integral(tau, beta, start):
    """Integral of exp[-(t/tau)^beta] from ``start`` to infinity (time):
    (tau / beta) Gamma(1/beta) Q(1/beta, (start/tau)^beta), Q the regularised upper gamma."""
    return tau / beta * gamma(1.0 / beta) * gammaincc(1.0 / beta, (start / tau) ** beta)


def _leave_one_block_out(fs_by_block):
    """(n_blocks, n_lags) mean of the other blocks' F_s, for each block left out."""
    n_blocks = len(fs_by_block)
    return (fs_by_block.sum(axis=0) - fs_by_block) / (n_blocks - 1)


def _jackknife_error(replicates):
    """Jackknife standard error sqrt((n - 1) / n sum (x_i - mean)^2) of leave-one-out estimates."""
    return float(np.sqrt((len(replicates) - 1) * np.var(replicates)))
