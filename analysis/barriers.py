"""Statistics of sampled free-energy barriers: single-barrier means, activation entropy.

Follows Yang et al., Phys. Rev. B 102, 174103 (2020): many metadynamics runs at one
temperature give a spectrum of barriers Delta F (eV), summarised by the parallel
(Eq. 4), sequential (Eq. 5) and effective (Eq. 6) single barriers; barriers at
several temperatures give the activation energy and entropy from
Delta F(T) = Delta Q - T Delta S (Eqs. 3, 7); the rate is nu = nu0 exp(-Delta F / k_B T)
(Eq. 2). Energies in eV, temperatures in K, entropies in units of k_B.
"""

from dataclasses import dataclass

import numpy as np
from scipy.constants import physical_constants
from scipy.optimize import curve_fit
from scipy.special import logsumexp
from scipy.stats import bootstrap, kstest, lognorm
from scipy.stats import t as student_t

BOLTZMANN = physical_constants["Boltzmann constant in eV/K"][0]
"""k_B in eV/K."""

ATTEMPT_FREQUENCY = 2e12
"""Hz. nu0 of Yang et al., from the curvature of the initial minimum."""

DEFAULT_RESAMPLES = 9999
"""Bootstrap resamples, scipy's default: enough for stable 95 % bounds of a few-hundred-run spectrum."""

MIN_TEMPERATURES = 3
"""Least number of temperatures: two parameters plus one degree of freedom for their errors."""


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
    """Maximum-likelihood log-normal fit (location fixed at 0) to a barrier spectrum.

    median, median_error : exp(log_mean), the scale of scipy.stats.lognorm (eV), and
        its asymptotic standard error median * log_mean_error.
    log_mean, log_mean_error : mean of ln(Delta F / eV) and sigma / sqrt(n).
    log_sd, log_sd_error : sd sigma of ln Delta F (the lognorm shape) and sigma / sqrt(2 n).
    mean, sd : mean and standard deviation of the fitted distribution (eV).
    n : number of barriers.
    ks_pvalue : Kolmogorov-Smirnov p-value against the fitted distribution; with
        fitted parameters it is too large (the test is conservative): a small value
        still rejects the log-normal, a large one does not prove it.
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


def fit_lognormal(barriers) -> LogNormalFit:
    """Maximum-likelihood log-normal fit to a barrier spectrum (scipy.stats.lognorm, floc=0).

    Parameters
    ----------
    barriers : array_like, shape (n,)
        Barriers Delta F (eV), finite and positive, n >= 3.

    Returns
    -------
    LogNormalFit

    Raises
    ------
    ValueError
        For fewer than 3 barriers or non-positive or non-finite ones.
    """
    barriers = _spectrum(barriers, 3)
    if not np.all(barriers > 0):
        raise ValueError("a log-normal fit needs positive barriers")
    shape, _, scale = lognorm.fit(barriers, floc=0)
    n = barriers.size
    log_mean_error = shape / np.sqrt(n)
    return LogNormalFit(
        median=float(scale), median_error=float(scale * log_mean_error),
        log_mean=float(np.log(scale)), log_mean_error=float(log_mean_error),
        log_sd=float(shape), log_sd_error=float(shape / np.sqrt(2 * n)),
        mean=float(lognorm.mean(shape, scale=scale)), sd=float(lognorm.std(shape, scale=scale)),
        n=n, ks_pvalue=float(kstest(barriers, lognorm(shape, scale=scale).cdf).pvalue),
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
