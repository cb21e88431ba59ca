"""Statistics of sampled free-energy barriers: single-barrier means, activation entropy.

Follows Yang et al., Phys. Rev. B 102, 174103 (2020): many metadynamics runs at one
temperature give a spectrum of barriers Delta F (eV), summarised by the parallel
(Eq. 4), sequential (Eq. 5) and effective (Eq. 6) single barriers; barriers at
several temperatures give the activation energy and entropy from
Delta F(T) = Delta Q - T Delta S (Eqs. 3, 7); the rate is nu = nu0 exp(-Delta F / k_B T)
(Eq. 2). Energies in eV, temperatures in K, entropies in units of k_B.

The paper reduces the sample itself (plug-in: single_barrier, bootstrap_single_barrier).
The parallel and sequential barriers are set by the tails of the spectrum, which a
sample of tens of barriers does not reach, so the plug-in values are biased and their
bootstrap intervals undercover badly. model_single_barrier instead fits a spectrum
shape (Gaussian or log-normal) by maximum likelihood, with runs that never crossed as
right-censored barriers, and reduces the fitted spectrum, with parametric-bootstrap
(generalized pivotal quantity) intervals whose coverage is checked by simulation in
tests/test_analysis_barriers.py.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.constants import physical_constants
from scipy.differentiate import hessian
from scipy.optimize import curve_fit
from scipy.special import lambertw, logsumexp
from scipy.stats import CensoredData, bootstrap, kstest, lognorm, norm
from scipy.stats import t as student_t

BOLTZMANN = physical_constants["Boltzmann constant in eV/K"][0]
"""k_B in eV/K."""

ATTEMPT_FREQUENCY = 2e12
"""Hz. nu0 of Yang et al., from the curvature of the initial minimum."""

DEFAULT_RESAMPLES = 9999
"""Bootstrap resamples, scipy's default: enough for stable 95 % bounds of a few-hundred-run spectrum."""

MIN_TEMPERATURES = 3
"""Least number of temperatures: two parameters plus one degree of freedom for their errors."""

MIN_OBSERVED = 3
"""Least number of uncensored barriers of a fitted spectrum: two parameters plus one
degree of freedom for their uncertainty."""

SPECTRUM_SHAPES = ("normal", "lognormal")
"""Spectrum shapes of model_single_barrier: Gaussian in Delta F, or in ln Delta F."""

DEFAULT_PIVOT_RESAMPLES = 4000
"""Parametric-bootstrap resamples of model_single_barrier: the Monte Carlo error of a
2.5 % quantile is then sqrt(0.025 * 0.975 / 4000) = 0.25 % in probability."""

EM_TOLERANCE = 1e-10
"""Convergence of the censored fits of the resamples (standard-normal units)."""

EM_MAX_ITERATIONS = 10000
"""More than enough: 20 iterations at 20 % censoring, 250 at 80 %."""

LAPLACE_GRID = (np.linspace(-12.0, 0.0, 121), np.linspace(0.0, 10.0, 41))
"""Quadrature nodes of _lognormal_parallel left of the integrand's peak (in units of the
standard-normal variable z; its log falls there with a curvature of at least 1) and right
of it (in units of the peak's width, which bounds the curvature from below there)."""


@dataclass(frozen=True)
class SingleBarrier:
    """Single barriers equivalent to a spectrum of barriers at one temperature (eV).

    parallel : -k_B T ln <exp(-Delta F / k_B T)>, channels in parallel (rates add, Eq. 4).
    sequential : k_B T ln <exp(Delta F / k_B T)>, channels in series (times add, Eq. 5).
    effective : (parallel + sequential) / 2 (Eq. 6).
    mean : arithmetic mean <Delta F>; parallel <= mean <= sequential.
    temperature : T (K).
    n : number of barriers.
    """

    parallel: float
    sequential: float
    effective: float
    mean: float
    temperature: float
    n: int


@dataclass(frozen=True)
class BootstrapSingleBarrier:
    """The single barriers of SingleBarrier (eV) with bootstrap uncertainties.

    parallel, sequential, effective : values on the sample itself.
    parallel_error, sequential_error, effective_error : bootstrap standard errors.
    parallel_interval, sequential_interval, effective_interval : (low, high) bootstrap
        confidence intervals.
    confidence : level of the intervals.
    method : "percentile", "basic" or "BCa".
    n_resamples : number of bootstrap resamples.
    temperature : T (K).
    n : number of barriers.
    """

    parallel: float
    parallel_error: float
    parallel_interval: tuple
    sequential: float
    sequential_error: float
    sequential_interval: tuple
    effective: float
    effective_error: float
    effective_interval: tuple
    confidence: float
    method: str
    n_resamples: int
    temperature: float
    n: int


@dataclass(frozen=True)
class ModelSingleBarrier:
    """Single barriers of a spectrum shape fitted to barriers, some right-censored.

    shape : "normal" (Delta F Gaussian) or "lognormal" (ln(Delta F / eV) Gaussian).
    location, scale : maximum-likelihood mean and standard deviation of Delta F (eV) or
        of ln(Delta F / eV) (dimensionless).
    location_interval, scale_interval : (low, high) parametric-bootstrap confidence
        intervals of them.
    parallel, sequential, effective : the reductions (Eqs. 4-6) of the fitted spectrum
        (eV); inf where the spectrum gives no finite value.
    parallel_error, ... : standard deviation of the bootstrap distribution (eV; NaN
        where the value is infinite).
    parallel_interval, ... : (low, high) confidence intervals (eV).
    confidence : level of the intervals.
    n_resamples : parametric-bootstrap resamples.
    temperature : T (K).
    n : number of barriers, censored ones included.
    n_censored : number of right-censored barriers.
    """

    shape: str
    location: float
    location_interval: tuple
    scale: float
    scale_interval: tuple
    parallel: float
    parallel_error: float
    parallel_interval: tuple
    sequential: float
    sequential_error: float
    sequential_interval: tuple
    effective: float
    effective_error: float
    effective_interval: tuple
    confidence: float
    n_resamples: int
    temperature: float
    n: int
    n_censored: int


@dataclass(frozen=True)
class ActivationParameters:
    """Delta F(T) = Delta Q - T Delta S from a least-squares line.

    activation_energy : Delta Q, the intercept at T = 0 (eV).
    activation_entropy : Delta S = -d Delta F / dT (units of k_B).
    activation_energy_error, activation_entropy_error : standard errors.
    activation_energy_interval, activation_entropy_interval : (low, high) confidence
        intervals from the Student t distribution with n - 2 degrees of freedom.
    confidence : level of the intervals.
    n_points : number of temperatures fitted.
    r_squared : coefficient of determination of the (weighted) fit.
    """

    activation_energy: float
    activation_energy_error: float
    activation_energy_interval: tuple
    activation_entropy: float
    activation_entropy_error: float
    activation_entropy_interval: tuple
    confidence: float
    n_points: int
    r_squared: float


@dataclass(frozen=True)
class LogNormalFit:
    """Maximum-likelihood log-normal fit (location fixed at 0) to a barrier spectrum,
    some barriers possibly right-censored.

    The errors are asymptotic standard errors from the observed information (the
    Hessian of the log-likelihood at its maximum); without censoring they are
    sigma / sqrt(n) and sigma / sqrt(2 n).

    median, median_error : exp(log_mean), the scale of scipy.stats.lognorm (eV), and
        its asymptotic standard error median * log_mean_error.
    log_mean, log_mean_error : mean of ln(Delta F / eV) and its standard error.
    log_sd, log_sd_error : sd sigma of ln Delta F (the lognorm shape) and its standard error.
    mean, sd : mean and standard deviation of the fitted distribution (eV).
    n : number of barriers, censored ones included.
    n_censored : number of right-censored barriers.
    ks_pvalue : Kolmogorov-Smirnov p-value against the fitted distribution; with
        fitted parameters it is too large (the test is conservative): a small value
        still rejects the log-normal, a large one does not prove it. NaN with censored
        barriers, which the test does not take.
    """

    median: float
    median_error: float
    log_mean: float
    log_mean_error: float
    log_sd: float
    log_sd_error: float
    mean: float
    sd: float
    n: int
    n_censored: int
    ks_pvalue: float


@dataclass(frozen=True)
class RunningStatistics:
    """Statistics of the first n barriers for n = 1..N (arrays of length N).

    n : 1..N.
    mean : mean of the first n barriers (eV).
    sd : their standard deviation with ddof=1 (eV), NaN for n = 1.
    sem : standard error of the mean sd / sqrt(n) (eV), NaN for n = 1.
    """

    n: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    sem: np.ndarray


def single_barrier(barriers, temperature) -> SingleBarrier:
    """Parallel, sequential and effective single barriers of a barrier spectrum.

    Parameters
    ----------
    barriers : array_like, shape (n,)
        Sampled barriers Delta F (eV), finite, n >= 1; <.> is their plain mean.
    temperature : float
        T (K), > 0.

    Returns
    -------
    SingleBarrier
        Computed with logsumexp, so 1-2 eV barriers at 200 K do not overflow.

    Raises
    ------
    ValueError
        For an empty, non-1-D or non-finite spectrum or a non-positive temperature.
    """
    barriers = _spectrum(barriers, 1)
    _check_temperature(temperature)
    parallel, sequential, effective = _single_barriers(barriers, BOLTZMANN * temperature)
    return SingleBarrier(parallel=float(parallel), sequential=float(sequential), effective=float(effective),
                         mean=float(barriers.mean()), temperature=float(temperature), n=barriers.size)


def bootstrap_single_barrier(barriers, temperature, confidence=0.95, n_resamples=DEFAULT_RESAMPLES,
                             seed=0, method="BCa") -> BootstrapSingleBarrier:
    """Single barriers with bootstrap standard errors and confidence intervals.

    The intervals of the parallel and sequential barriers undercover badly for the
    sample sizes of a metadynamics campaign: for a Gaussian spectrum (0.8 +- 0.1 eV,
    300 K) the nominal 95 % BCa interval of the parallel barrier covers the truth in
    8 % of samples of 4, 14 % of 10 and 28 % of 50, that of the effective barrier in
    76-81 %. For intervals that mean what they say use model_single_barrier.

    Parameters
    ----------
    barriers : array_like, shape (n,)
        Sampled barriers Delta F (eV), finite, n >= 2.
    temperature : float
        T (K), > 0.
    confidence : float
        Level of the intervals, in (0, 1).
    n_resamples : int
        Number of bootstrap resamples.
    seed : int
        Seed of the resampling; the same seed gives the same result.
    method : {"BCa", "percentile", "basic"}
        Interval method of scipy.stats.bootstrap. BCa corrects the bias and skew of
        the parallel and sequential barriers, which are dominated by the tails.

    Returns
    -------
    BootstrapSingleBarrier

    Raises
    ------
    ValueError
        For fewer than 2 barriers, non-finite barriers, a non-positive temperature or
        a confidence outside (0, 1).
    """
    barriers = _spectrum(barriers, 2)
    _check_temperature(temperature)
    _check_confidence(confidence)
    k_t = BOLTZMANN * temperature

    def statistic(sample, axis=-1):
        return np.stack(_single_barriers(sample, k_t, axis))

    result = bootstrap((barriers,), statistic, n_resamples=n_resamples, confidence_level=confidence,
                       method=method, rng=seed)
    values = statistic(barriers)
    low, high = result.confidence_interval
    fields = {}
    for i, name in enumerate(("parallel", "sequential", "effective")):
        fields[name] = float(values[i])
        fields[f"{name}_error"] = float(result.standard_error[i])
        fields[f"{name}_interval"] = (float(low[i]), float(high[i]))
    return BootstrapSingleBarrier(**fields, confidence=confidence, method=method, n_resamples=n_resamples,
                                  temperature=float(temperature), n=barriers.size)


def model_single_barrier(barriers, temperature, censored_at=(), shape="normal", confidence=0.95,
                         n_resamples=DEFAULT_PIVOT_RESAMPLES, seed=0) -> ModelSingleBarrier:
    """Single barriers of a spectrum shape fitted by maximum likelihood, with
    parametric-bootstrap confidence intervals.

    The shape is fitted to the barriers and to the right-censored ones (each known only
    to exceed its ``censored_at`` value) with scipy.stats.CensoredData. The reductions
    of the fitted spectrum:

    * normal N(mu, s^2): Delta F_para = mu - s^2 / 2 k_B T, Delta F_seq =
      mu + s^2 / 2 k_B T, Delta F_eff = mu (integrals over all Delta F; the paper's
      lower limit 0 matters only where mu - s^2 / k_B T comes within a few s of 0).
    * lognormal: Delta F_para = -k_B T ln E[exp(-Delta F / k_B T)] by quadrature.
      E[exp(Delta F / k_B T)] is infinite for any log-normal (its upper tail falls
      slower than exp(-Delta F / k_B T)), so Delta F_seq and Delta F_eff are inf: the
      shape gives no finite sequential barrier. Cutting the integral at an upper limit
      would not help: for spectra like the paper's (sigma of ln Delta F ~ 0.1-0.2) the
      integrand grows all the way, so Delta F_seq would be that limit.

    Intervals: generalized pivotal quantities (Weerahandi 1993; Krishnamoorthy and
    Mathew 2003), a parametric bootstrap: ``n_resamples`` standard-normal samples of
    size n, whose n_censored largest are censored at the largest uncensored value
    (type-II censoring, the same count as the data), are refitted; since the fit is
    location-scale equivariant, their (location, scale) give the distribution of
    (mu, s) given the data, reduced draw by draw; the interval is its central
    ``confidence`` quantile range. Exact for uncensored Gaussian data up to the
    Monte Carlo error; with censoring at other levels than type II it is an
    approximation. Measured coverage in tests/test_analysis_barriers.py.

    Parameters
    ----------
    barriers : array_like, shape (m,)
        Resolved barriers Delta F (eV), finite, m >= MIN_OBSERVED; positive for the
        log-normal.
    temperature : float
        T (K), > 0.
    censored_at : array_like, shape (k,)
        Lower bounds (eV) of the barriers of runs that stopped without crossing, finite;
        positive for the log-normal.
    shape : {"normal", "lognormal"}
    confidence : float
        Level of the intervals, in (0, 1).
    n_resamples : int
        Parametric-bootstrap resamples.
    seed : int
        Seed of the resamples; the same seed gives the same result.

    Returns
    -------
    ModelSingleBarrier
        With n = m + k.

    Raises
    ------
    ValueError
        For fewer than MIN_OBSERVED barriers, non-finite (or, for the log-normal,
        non-positive) values, an unknown shape, a non-positive temperature or a
        confidence outside (0, 1).
    """
    observed, censored = _fit_scale(barriers, censored_at, shape)
    _check_temperature(temperature)
    _check_confidence(confidence)
    location, scale = _fit_normal(observed, censored)
    location_draws, scale_draws = _pivotal_draws(location, scale, observed.size + censored.size,
                                                 censored.size, n_resamples, seed)
    k_t = BOLTZMANN * temperature
    fields = {"location": location, "location_interval": _interval(location_draws, confidence),
              "scale": scale, "scale_interval": _interval(scale_draws, confidence)}
    values = _model_reductions(shape, location, scale, k_t)
    draws = _model_reductions(shape, location_draws, scale_draws, k_t)
    for name, value, draw in zip(("parallel", "sequential", "effective"), values, draws):
        fields[name] = float(value)
        fields[f"{name}_error"] = float(np.std(draw)) if np.isfinite(value) else np.nan
        fields[f"{name}_interval"] = _interval(draw, confidence)
    return ModelSingleBarrier(shape=shape, **fields, confidence=confidence,
                              n_resamples=n_resamples, temperature=float(temperature),
                              n=observed.size + censored.size, n_censored=censored.size)


def activation_parameters(temperatures, free_energy_barriers, barrier_errors=None,
                          confidence=0.95) -> ActivationParameters:
    """Activation energy and entropy from a line Delta F(T) = Delta Q - T Delta S.

    Parameters
    ----------
    temperatures : array_like, shape (n,)
        T (K), positive, n >= 3, not all equal.
    free_energy_barriers : array_like, shape (n,)
        One barrier Delta F (eV) per temperature (e.g. the effective single barrier).
    barrier_errors : array_like, shape (n,), optional
        Standard errors of the barriers (eV); the points are weighted by 1 / error^2.
        Only the relative weights matter: the parameter errors are scaled by the
        scatter of the residuals either way, as in analysis.scaling.
    confidence : float
        Level of the confidence intervals, in (0, 1).

    Returns
    -------
    ActivationParameters

    Raises
    ------
    ValueError
        For fewer than 3 temperatures, all temperatures equal, non-finite values,
        non-positive temperatures or errors, shapes that differ, or a confidence
        outside (0, 1).
    """
    temperature = np.asarray(temperatures, dtype=float)
    barrier = np.asarray(free_energy_barriers, dtype=float)
    errors = None if barrier_errors is None else np.asarray(barrier_errors, dtype=float)
    _check_line(temperature, barrier, errors, confidence)
    (energy, entropy), covariance = curve_fit(_free_energy, temperature, barrier,
                                              p0=(barrier.mean(), 0.0), sigma=errors)
    energy_error, entropy_error = np.sqrt(np.diag(covariance))
    half = student_t.ppf(0.5 + confidence / 2, temperature.size - 2)
    to_kb = 1.0 / BOLTZMANN
    return ActivationParameters(
        activation_energy=float(energy),
        activation_energy_error=float(energy_error),
        activation_energy_interval=(float(energy - half * energy_error), float(energy + half * energy_error)),
        activation_entropy=float(entropy * to_kb),
        activation_entropy_error=float(entropy_error * to_kb),
        activation_entropy_interval=(float((entropy - half * entropy_error) * to_kb),
                                     float((entropy + half * entropy_error) * to_kb)),
        confidence=confidence,
        n_points=temperature.size,
        r_squared=_r_squared(barrier, _free_energy(temperature, energy, entropy), errors),
    )


def transition_frequency(barrier, temperature, attempt_frequency=ATTEMPT_FREQUENCY):
    """Transition-state-theory rate nu = nu0 exp(-Delta F / k_B T) (Hz, Eq. 2).

    Parameters
    ----------
    barrier : array_like
        Delta F (eV).
    temperature : array_like
        T (K), > 0; broadcast against barrier.
    attempt_frequency : float
        nu0 (Hz), > 0.

    Returns
    -------
    float or numpy.ndarray
        nu (Hz), of the broadcast shape.

    Raises
    ------
    ValueError
        For a non-positive temperature or attempt frequency.
    """
    temperature = np.asarray(temperature, dtype=float)
    if not np.all(temperature > 0):
        raise ValueError("temperature must be positive (K)")
    if not attempt_frequency > 0:
        raise ValueError(f"attempt_frequency must be positive (Hz), got {attempt_frequency}")
    return attempt_frequency * np.exp(-np.asarray(barrier, dtype=float) / (BOLTZMANN * temperature))


def fit_lognormal(barriers, censored_at=()) -> LogNormalFit:
    """Maximum-likelihood log-normal fit (scipy.stats.lognorm, floc=0) to a barrier
    spectrum, with right-censored barriers (scipy.stats.CensoredData).

    Parameters
    ----------
    barriers : array_like, shape (m,)
        Resolved barriers Delta F (eV), finite and positive, m >= MIN_OBSERVED.
    censored_at : array_like, shape (k,)
        Lower bounds (eV) of barriers known only to exceed them, finite and positive.

    Returns
    -------
    LogNormalFit

    Raises
    ------
    ValueError
        For fewer than MIN_OBSERVED barriers or non-positive or non-finite values.
    """
    observed, censored = _fit_scale(barriers, censored_at, "lognormal")
    log_mean, log_sd = _fit_normal(observed, censored)
    log_mean_error, log_sd_error = _normal_fit_errors(observed, censored, log_mean, log_sd)
    scale = np.exp(log_mean)
    ks_pvalue = np.nan if censored.size else kstest(observed, norm(log_mean, log_sd).cdf).pvalue
    return LogNormalFit(
        median=float(scale), median_error=float(scale * log_mean_error),
        log_mean=float(log_mean), log_mean_error=float(log_mean_error),
        log_sd=float(log_sd), log_sd_error=float(log_sd_error),
        mean=float(lognorm.mean(log_sd, scale=scale)), sd=float(lognorm.std(log_sd, scale=scale)),
        n=observed.size + censored.size, n_censored=censored.size, ks_pvalue=float(ks_pvalue),
    )


def running_statistics(barriers) -> RunningStatistics:
    """Mean, standard deviation and standard error of the first n barriers, n = 1..N.

    For the convergence of a spectrum with the number of samples (Yang et al., Fig. 3a).

    Parameters
    ----------
    barriers : array_like, shape (N,)
        Barriers in sampling order (eV), finite, N >= 1.

    Returns
    -------
    RunningStatistics

    Raises
    ------
    ValueError
        For an empty, non-1-D or non-finite sequence.
    """
    barriers = _spectrum(barriers, 1)
    n = np.arange(1, barriers.size + 1)
    shifted = barriers - barriers[0]   # cumulative sums of deviations: no cancellation
    total, squares = np.cumsum(shifted), np.cumsum(shifted**2)
    mean = total / n
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(np.clip(squares - total * mean, 0.0, None) / (n - 1))
    sd[0] = np.nan
    return RunningStatistics(n=n, mean=barriers[0] + mean, sd=sd, sem=sd / np.sqrt(n))


def _single_barriers(barriers, k_t, axis=-1):
    """Parallel, sequential and effective barriers along an axis (eV)."""
    log_n = np.log(barriers.shape[axis])
    parallel = -k_t * (logsumexp(-barriers / k_t, axis=axis) - log_n)
    sequential = k_t * (logsumexp(barriers / k_t, axis=axis) - log_n)
    return parallel, sequential, 0.5 * (parallel + sequential)


def _fit_scale(barriers, censored_at, shape):
    """Uncensored and censored barriers on the scale where the shape is Gaussian."""
    if shape not in SPECTRUM_SHAPES:
        raise ValueError(f"shape must be one of {SPECTRUM_SHAPES}, got {shape!r}")
    observed = _spectrum(barriers, MIN_OBSERVED)
    censored = np.asarray(censored_at, dtype=float).reshape(-1)
    if not np.all(np.isfinite(censored)):
        raise ValueError("censored_at must be finite (eV)")
    if shape == "normal":
        return observed, censored
    if not (np.all(observed > 0) and np.all(censored > 0)):
        raise ValueError("a log-normal fit needs positive barriers")
    return np.log(observed), np.log(censored)


def _fit_normal(observed, censored):
    """Maximum-likelihood (mean, sd) of a Gaussian, ``censored`` right-censored."""
    location, scale = norm.fit(CensoredData(uncensored=observed, right=censored))
    return float(location), float(scale)


def _normal_fit_errors(observed, censored, location, scale):
    """Standard errors of (mean, sd) of a censored Gaussian fit from the observed
    information, differentiated (scipy.differentiate.hessian) in the standardized
    coordinates ((mean - location) / scale, ln(sd / scale))."""

    def negative_log_likelihood(x):
        mean = location + scale * x[0][..., None]
        sd = scale * np.exp(x[1])[..., None]
        return -(norm.logpdf(observed, mean, sd).sum(axis=-1)
                 + norm.logsf(censored, mean, sd).sum(axis=-1))

    information = hessian(negative_log_likelihood, np.zeros(2), initial_step=0.1).ddf
    standardized = np.sqrt(np.diag(np.linalg.inv(information)))
    return scale * standardized[0], scale * standardized[1]   # d sd = sd d ln sd


@lru_cache(maxsize=64)
def _standard_pivots(n, n_censored, n_resamples, seed):
    """Fitted (mean, sd) of ``n_resamples`` standard-normal samples of size n whose
    n_censored largest are censored at the largest uncensored value (type II).

    Vectorised EM (the fits of scipy.stats take 13 ms each): the censored values are
    replaced by their conditional moments E[z | z > c] = m + s h and
    E[z^2 | z > c] = m^2 + s^2 + s (m + c) h, h = pdf / sf at (c - m) / s, until the
    fits change by less than EM_TOLERANCE. Read-only arrays: the result is cached."""
    samples = np.sort(np.random.default_rng(seed).standard_normal((n_resamples, n)), axis=1)
    observed = samples[:, :n - n_censored]
    location, scale = observed.mean(axis=1), observed.std(axis=1)
    if n_censored:
        limit, total, squares = observed[:, -1], observed.sum(axis=1), np.sum(observed**2, axis=1)
        for _ in range(EM_MAX_ITERATIONS):
            z = (limit - location) / scale
            hazard = np.exp(norm.logpdf(z) - norm.logsf(z))
            tail_mean = location + scale * hazard
            tail_square = location**2 + scale**2 + scale * (location + limit) * hazard
            new_location = (total + n_censored * tail_mean) / n
            new_scale = np.sqrt((squares + n_censored * tail_square) / n - new_location**2)
            change = max(np.abs(new_location - location).max(), np.abs(new_scale - scale).max())
            location, scale = new_location, new_scale
            if change < EM_TOLERANCE:
                break
        else:
            raise RuntimeError(f"censored fits of {n} values, {n_censored} censored, did not "
                               f"converge in {EM_MAX_ITERATIONS} iterations")
    for array in (location, scale):
        array.flags.writeable = False
    return location, scale


def _pivotal_draws(location, scale, n, n_censored, n_resamples, seed):
    """Draws of (mean, sd) given the fit (generalized pivotal quantities): with (m*, s*)
    a standard resample's fit, sd = scale / s* and mean = location - m* sd."""
    pivot_location, pivot_scale = _standard_pivots(n, n_censored, n_resamples, seed)
    scale_draws = scale / pivot_scale
    return location - pivot_location * scale_draws, scale_draws


def _model_reductions(shape, location, scale, k_t):
    """Parallel, sequential and effective (Eq. 6) barriers (eV) of the spectrum shape
    with these parameters (arrays broadcast)."""
    if shape == "normal":
        shift = scale**2 / (2 * k_t)
        parallel, sequential = location - shift, location + shift
    else:
        parallel = _lognormal_parallel(location, scale, k_t)
        sequential = np.full(np.shape(parallel), np.inf)
    return parallel, sequential, 0.5 * (parallel + sequential)


def _lognormal_parallel(log_mean, log_sd, k_t):
    """-k_T ln E[exp(-Delta F / k_T)] (eV) for ln(Delta F / eV) ~ N(log_mean, log_sd^2).

    E = integral of exp(g(z)) dz / sqrt(2 pi), g(z) = -z^2 / 2 - exp(log_mean + log_sd z)
    / k_T, by the trapezoidal rule (relative to the peak value) around the peak of g, at
    z* = -W(log_sd^2 exp(log_mean) / k_T) / log_sd (W: Lambert's function) with
    curvature -(1 + u), u = -log_sd z*; nodes LAPLACE_GRID. Vectorised over the
    parameters, which scipy.integrate.quad is not; checked against
    scipy.stats.lognorm.expect in the tests."""
    log_mean, log_sd = np.broadcast_arrays(np.asarray(log_mean, float), np.asarray(log_sd, float))
    u = np.real(lambertw(log_sd**2 * np.exp(log_mean) / k_t))
    peak, width = -u / log_sd, 1.0 / np.sqrt(1.0 + u)
    left, right = LAPLACE_GRID
    z = np.concatenate([peak[..., None] + left, peak[..., None] + width[..., None] * right[1:]],
                       axis=-1)
    exponent = -0.5 * z**2 - np.exp(log_mean[..., None] + log_sd[..., None] * z) / k_t
    peak_exponent = exponent.max(axis=-1, keepdims=True)
    integral = np.trapezoid(np.exp(exponent - peak_exponent), z, axis=-1)
    return -k_t * (peak_exponent[..., 0] + np.log(integral) - 0.5 * np.log(2 * np.pi))


def _interval(draws, confidence):
    """Central ``confidence`` quantile range of the draws (draws themselves, so that
    infinite draws give infinite bounds)."""
    low, high = np.quantile(draws, [0.5 - confidence / 2, 0.5 + confidence / 2],
                            method="inverted_cdf")
    return float(low), float(high)


def _free_energy(temperature, energy, entropy):
    return energy - temperature * entropy


def _spectrum(barriers, least):
    barriers = np.asarray(barriers, dtype=float)
    if barriers.ndim != 1 or barriers.size < least:
        raise ValueError(f"barriers must be 1-D with at least {least} values, got shape {barriers.shape}")
    if not np.all(np.isfinite(barriers)):
        raise ValueError("barriers must be finite (drop runs without a resolved barrier first)")
    return barriers


def _check_temperature(temperature):
    if not (np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be finite and positive (K), got {temperature}")


def _check_confidence(confidence):
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")


def _check_line(temperature, barrier, errors, confidence):
    if temperature.ndim != 1 or temperature.shape != barrier.shape or (
            errors is not None and errors.shape != temperature.shape):
        raise ValueError("temperatures, barriers (and barrier_errors) must be 1-D of equal length, "
                         f"got {temperature.shape} and {barrier.shape}")
    if temperature.size < MIN_TEMPERATURES:
        raise ValueError(f"a line Delta F(T) needs at least {MIN_TEMPERATURES} temperatures, "
                         f"got {temperature.size}")
    if not np.all(np.isfinite(temperature) & np.isfinite(barrier) & (temperature > 0)):
        raise ValueError("temperatures must be finite and positive and barriers finite")
    if np.ptp(temperature) == 0:
        raise ValueError("temperatures must not all be equal")
    if errors is not None and not np.all(np.isfinite(errors) & (errors > 0)):
        raise ValueError("barrier_errors must be finite and positive")
    _check_confidence(confidence)


def _r_squared(observed, fitted, sigma):
    weight = np.ones_like(observed) if sigma is None else sigma**-2.0
    mean = np.average(observed, weights=weight)
    return float(1.0 - np.sum(weight * (observed - fitted) ** 2) / np.sum(weight * (observed - mean) ** 2))
