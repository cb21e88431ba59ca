"""Activation free-energy barrier from a metadynamics free-energy profile F(s).

The profile comes from well-tempered metadynamics along one collective variable s
(here the RMSD of a group of atoms, Angstrom), F in eV (Yang et al., Phys. Rev. B
102, 174103 (2020)): Delta F is the difference between the initial minimum and the
first saddle beyond it. The profile is noisy and may have flat stretches; where the
run has not been yet the bias is zero and F sits flat at its maximum, which is not a
saddle. Minima count only if prominent (scipy.signal.find_peaks), so noise and the
unexplored top are not mistaken for basins, and a run that never left its basin is
flagged instead of given a barrier.
"""

from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks

GRID_SPACING = 0.01
"""Angstrom: grid of the bias and of the free-energy profile."""
BASIN_DEPTH_IN_HILLS = 2.0
"""A second basin counts once it is deeper than this many first hills (scaled to F)."""
HILLS_COLUMNS = ("step", "centre", "sigma", "height")
"""A table of hills: deposition step, centre (Angstrom), sigma (Angstrom), height (eV)."""
DEFAULT_PROMINENCE = 0.02
"""eV. A basin must be at least this deep on both sides to count as a minimum.

About k_B T over the 200-450 K studied (0.017-0.039 eV), ten times the smallest
Gaussian hill height (0.002 eV; well-tempering shrinks the larger ones further), so
residual hill bumps and statistical noise are ignored, and more than ten times below
the 0.3-1.5 eV barriers of beta relaxation, so no real basin is missed."""

MIN_POINTS = 3
"""Least number of grid points: a minimum needs a neighbour on each side."""


@dataclass(frozen=True)
class ProfileBarrier:
    """Initial minimum, first saddle and the barrier between them on F(s).

    found : True when a saddle into a second basin was resolved.
    status : "crossed" (barrier found), "no_minimum" (no prominent minimum at all) or
        "no_saddle" (F never descends into a second basin, e.g. the run never left).
    message : one line saying why, for a report.
    barrier : saddle minus initial-minimum free energy (eV); NaN when not found.
    minimum_position, minimum_free_energy : initial minimum (CV units, eV).
    saddle_position, saddle_free_energy : highest point between the initial and the
        next minimum (CV units, eV).
    final_minimum_position, final_minimum_free_energy : that next minimum (CV units, eV).
    Positions and free energies are NaN when the point is absent.
    """

    found: bool
    status: str
    message: str
    barrier: float
    minimum_position: float
    minimum_free_energy: float
    saddle_position: float
    saddle_free_energy: float
    final_minimum_position: float
    final_minimum_free_energy: float


def barrier_from_profile(cv, free_energy, prominence=DEFAULT_PROMINENCE, start=None) -> ProfileBarrier:
    """Barrier from the initial minimum of F(s) to the first saddle beyond it (to larger s).

    Minima are those of prominence >= ``prominence`` (scipy.signal.find_peaks on -F;
    a flat bottom counts once, at its middle; beyond the grid F is taken to rise to
    its maximum, so a grid end is a minimum when F rises away from it). Basins are
    separated by the highest point between consecutive minima; the initial minimum
    is that of the basin holding ``start``. The saddle is the highest point between
    it and the next minimum to its right (the middle of a flat top), which must lie
    at least ``prominence`` below the saddle.

    Parameters
    ----------
    cv : array_like, shape (n,)
        Strictly increasing collective-variable grid (e.g. RMSD, Angstrom), n >= 3.
    free_energy : array_like, shape (n,)
        F on that grid (eV), finite.
    prominence : float
        Least depth of a basin (eV), > 0.
    start : float, optional
        CV value inside the initial basin (e.g. the median CV early in the run);
        default: the leftmost minimum is the initial one.

    Returns
    -------
    ProfileBarrier
        Flagged (found False, barrier NaN) when there is no minimum or no saddle.

    Raises
    ------
    ValueError
        For malformed input: shapes that differ, fewer than 3 points, a grid not
        strictly increasing, non-finite values, prominence <= 0 or a non-finite start.
    """
    s, f = np.asarray(cv, dtype=float), np.asarray(free_energy, dtype=float)
    _check_profile(s, f, prominence, start)
    minima = _prominent_minima(f, prominence)
    if minima.size == 0:
        return _flagged("no_minimum", f"no basin of F at least {prominence:g} eV deep")
    saddles = np.array([_highest(f, left, right) for left, right in zip(minima[:-1], minima[1:])], dtype=int)
    basin = 0 if start is None else int(np.searchsorted(s[saddles], start))
    first = minima[basin]
    minimum = (s[first], f[first])
    if basin == minima.size - 1:
        rise = f[first:].max() - f[first]
        return _flagged("no_saddle", f"F rises by {rise:.3f} eV to the right of the minimum at "
                        f"{s[first]:.3g} but never descends into a second basin", minimum)
    top, final = saddles[basin], minima[basin + 1]
    if f[top] - f[final] < prominence:
        return _flagged("no_saddle", f"the next minimum at {s[final]:.3g} lies less than "
                        f"{prominence:g} eV below the saddle at {s[top]:.3g}", minimum)
    barrier = f[top] - f[first]
    return ProfileBarrier(
        found=True, status="crossed",
        message=f"barrier {barrier:.3f} eV from the minimum at {s[first]:.3g} over the saddle "
                f"at {s[top]:.3g} to the minimum at {s[final]:.3g}",
        barrier=float(barrier),
        minimum_position=float(s[first]), minimum_free_energy=float(f[first]),
        saddle_position=float(s[top]), saddle_free_energy=float(f[top]),
        final_minimum_position=float(s[final]), final_minimum_free_energy=float(f[final]),
    )


def _prominent_minima(f, prominence):
    """Indices of the minima of f with at least this prominence, grid ends included."""
    wall = np.full(1, f.max())   # beyond the grid F is taken to rise to its maximum
    peaks, _ = find_peaks(-np.concatenate((wall, f, wall)), prominence=prominence)
    return peaks - 1


def _highest(f, left, right):
    """Index of the highest point of f[left:right + 1]: the middle of its first flat top."""
    top = left + int(np.argmax(f[left:right + 1]))
    end = top
    while end < right and f[end + 1] == f[top]:
        end += 1
    return (top + end) // 2


def _flagged(status, message, minimum=(np.nan, np.nan)):
    return ProfileBarrier(
        found=False, status=status, message=message, barrier=np.nan,
        minimum_position=float(minimum[0]), minimum_free_energy=float(minimum[1]),
        saddle_position=np.nan, saddle_free_energy=np.nan,
        final_minimum_position=np.nan, final_minimum_free_energy=np.nan,
    )


def _check_profile(s, f, prominence, start):
    if s.ndim != 1 or s.shape != f.shape:
        raise ValueError(f"cv and free_energy must be 1-D of equal length, got {s.shape} and {f.shape}")
    if s.size < MIN_POINTS:
        raise ValueError(f"a profile needs at least {MIN_POINTS} points, got {s.size}")
    if not np.all(np.isfinite(s) & np.isfinite(f)):
        raise ValueError("cv and free_energy must be finite")
    if not np.all(np.diff(s) > 0):
        raise ValueError("cv must be strictly increasing")
    if not (np.isfinite(prominence) and prominence > 0):
        raise ValueError(f"prominence must be finite and positive, got {prominence}")
    if start is not None and not np.isfinite(start):
        raise ValueError(f"start must be a finite CV value, got {start}")


def well_tempered_free_energy(grid, hill_centres, hill_sigmas, hill_heights, temperature,
                              bias_temperature) -> np.ndarray:
    """F(s) from the hills of well-tempered metadynamics, shifted to a minimum of zero.

    The bias is the sum of the deposited Gaussians, V(s) = sum_i w_i exp(-(s - s_i)^2 /
    (2 sigma_i^2)), with the heights w_i as deposited (already tempered), and
    F(s) = -(T + Delta T) / Delta T V(s) (Barducci, Bussi and Parrinello, PRL 100,
    020603 (2008)).

    Parameters
    ----------
    grid : array_like, shape (m,)
        CV values where F is wanted (CV units).
    hill_centres, hill_sigmas, hill_heights : array_like, shape (n,)
        Centre (CV units), standard deviation sigma (CV units) and height (eV) of each hill.
    temperature, bias_temperature : float
        T and the bias temperature Delta T (K).

    Returns
    -------
    ndarray, shape (m,)
        F (eV), zero at its minimum; all zero when no hill was deposited.
    """
    s = np.asarray(grid, dtype=float)[:, None]
    centres, sigmas, heights = (np.asarray(a, dtype=float)[None, :]
                                for a in (hill_centres, hill_sigmas, hill_heights))
    if temperature <= 0 or bias_temperature <= 0:
        raise ValueError("temperature and bias_temperature must be positive (K)")
    bias = np.sum(heights * np.exp(-0.5 * ((s - centres) / sigmas) ** 2), axis=1)
    free_energy = -(temperature + bias_temperature) / bias_temperature * bias
    return free_energy - free_energy.min()


def least_basin_depth(prominence: float, hill_weight: float, temperature: float,
                      bias_temperature: float, hills: float = BASIN_DEPTH_IN_HILLS) -> float:
    """Least depth (eV) of a basin on F: ``prominence`` (eV), and at least ``hills``
    first hills (``hill_weight``, eV) in F units, so that a few stray hills beyond the
    initial basin are not taken for a second basin. Temperatures in K."""
    tempering = (temperature + bias_temperature) / bias_temperature
    return max(prominence, hills * hill_weight * tempering)


def hills_free_energy(grid, hills, temperature: float, bias_temperature: float) -> np.ndarray:
    """F (eV) on ``grid`` (Angstrom) from a table of hills (centre, sigma, height)."""
    return well_tempered_free_energy(grid, hills["centre"], hills["sigma"], hills["height"],
                                     temperature, bias_temperature)


def early_median_cv(steps, cv, hill_every: int) -> float | None:
    """Median CV over the first ten hill intervals (steps <= 10 ``hill_every``): it
    names the initial basin; None when the trajectory has no such step."""
    steps, cv = np.asarray(steps), np.asarray(cv, dtype=float)
    early = cv[steps <= 10 * hill_every]
    return float(np.median(early)) if early.size else None


def crossing_of_hills(grid, hills, temperature: float, bias_temperature: float, depth: float,
                      start: float | None, after_step: int = 0) -> tuple[int, ProfileBarrier] | None:
    """The first hill step after ``after_step`` whose profile (the hills up to it) resolves
    a saddle into a second basin at least ``depth`` (eV) deep, with that barrier; None if
    none does. ``hills``: table of step, centre, sigma, height; grid and start in
    Angstrom, temperatures in K."""
    table = {column: np.asarray(hills[column]) for column in HILLS_COLUMNS}
    for count, step in enumerate(table["step"], start=1):
        if step <= after_step:
            continue
        deposited = {column: values[:count] for column, values in table.items()}
        barrier = barrier_from_profile(
            grid, hills_free_energy(grid, deposited, temperature, bias_temperature),
            prominence=depth, start=start)
        if barrier.found:
            return int(step), barrier
    return None
