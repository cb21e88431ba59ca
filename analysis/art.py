"""Statistics of ART nouveau searches: duplicate events, the activation-energy spectrum
and the success rate at each level (Yang et al., Phys. Rev. B 102, 174103 (2020), Fig. 4b: 1000
searches on Cu-centred clusters, mean activation energy 1.35 eV).

Energies in eV, displacements in Angstrom.
"""

from dataclasses import dataclass

import numpy as np
from scipy.stats import binomtest
from scipy.stats import t as student_t

from analysis.barriers import LogNormalFit, fit_lognormal

MEAN_INTERVAL_METHOD = "Student t"
SUCCESS_INTERVAL_METHOD = "Clopper-Pearson exact binomial (scipy.stats.binomtest)"
MIN_LOGNORMAL = 3


@dataclass(frozen=True)
class SpectrumStatistics:
    """Activation energies of the unique events of a level (eV).

    n : number of energies.
    mean, mean_interval : mean and its (low, high) Student t confidence interval (NaN
        for n < 2).
    sd : standard deviation, ddof=1 (NaN for n < 2); median.
    lognormal : maximum-likelihood log-normal fit (analysis.barriers.fit_lognormal), None
        for fewer than 3 or non-positive energies; ``note`` says why.
    """

    n: int
    mean: float
    mean_interval: tuple
    confidence: float
    sd: float
    median: float
    lognormal: LogNormalFit | None
    note: str


@dataclass(frozen=True)
class SuccessRate:
    """Fraction of searches that succeeded, with its (low, high) interval."""

    searches: int
    successes: int
    rate: float
    interval: tuple
    confidence: float


def largest_atom_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Largest per-atom distance between two (N, 3) displacement fields (A)."""
    return float(np.max(np.linalg.norm(a - b, axis=-1)))


def duplicate_of(samples, saddle_energies, saddle_displacements, included,
                 energy_tolerance: float, distance_tolerance: float) -> np.ndarray:
    """For each event the index of the earlier unique event it repeats, -1 if none.

    Only the ``included`` events (a mask) take part. Event i repeats a unique event j < i of the same
    sample when |E_i - E_j| <= energy_tolerance (eV) and no atom's saddle displacement
    ((N, 3) from the common minimum, A) differs by distance_tolerance or more: the
    first of a group is kept, and later events are compared with kept ones only.
    """
    samples = np.asarray(samples)
    energies = np.asarray(saddle_energies, dtype=float)
    result = np.full(len(energies), -1)
    kept = []
    for i in np.flatnonzero(included):
        candidates = [j for j in kept if samples[j] == samples[i]
                      and abs(energies[i] - energies[j]) <= energy_tolerance]
        for j in candidates:
            if largest_atom_difference(saddle_displacements[i], saddle_displacements[j]) \
                    < distance_tolerance:
                result[i] = j
                break
        else:
            kept.append(i)
    return result


def spectrum_statistics(activation_energies, confidence: float = 0.95) -> SpectrumStatistics:
    """Count, mean with its Student t interval, sd, median and log-normal fit of a
    spectrum of activation energies (eV, finite)."""
    energies = np.asarray(activation_energies, dtype=float)
    n = energies.size
    nan = float("nan")
    mean = float(energies.mean()) if n else nan
    sd, interval = nan, (nan, nan)
    if n > 1:
        sd = float(energies.std(ddof=1))
        half = student_t.ppf(0.5 + confidence / 2, n - 1) * sd / np.sqrt(n)
        interval = (mean - half, mean + half)
    lognormal, note = None, ""
    if n < MIN_LOGNORMAL:
        note = f"{n} unique event(s): the log-normal fit needs {MIN_LOGNORMAL}"
    elif not np.all(energies > 0):
        note = "no log-normal fit: non-positive activation energies"
    else:
        lognormal = fit_lognormal(energies)
    return SpectrumStatistics(n=n, mean=mean, mean_interval=interval, confidence=confidence,
                              sd=sd, median=float(np.median(energies)) if n else nan,
                              lognormal=lognormal, note=note)


def success_rate(successes: int, searches: int, confidence: float = 0.95) -> SuccessRate:
    """Fraction of ``searches`` (>= 1) that succeeded, with the exact (Clopper-Pearson)
    binomial interval."""
    interval = binomtest(successes, searches).proportion_ci(confidence_level=confidence,
                                                            method="exact")
    return SuccessRate(searches=searches, successes=successes, rate=successes / searches,
                       interval=(float(interval.low), float(interval.high)),
                       confidence=confidence)
