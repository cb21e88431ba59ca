"""Pair distribution functions g(r) in periodic, possibly triclinic, cells, and the
static structure factor S(q) from g(r)."""

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.integrate import trapezoid
from scipy.signal import find_peaks, peak_widths, savgol_filter
from scipy.spatial import cKDTree

from analysis.box import fractional, images_near_box, perpendicular_widths

MIN_FIT_HALF_POINTS = 3
"""Least number of points on each side of an extremum in its local cubic fit."""


@dataclass(frozen=True, eq=False)
class PairDistribution:
    """Radial distribution functions averaged over frames.

    r : bin centres (length unit of the positions).
    g_total, g_total_error : total g(r) and its counting (Poisson) standard error.
    g_partial, g_partial_error : same per type pair (a, b), a <= b.
    number_density : mean N / V over the frames (atoms per length**3).
    n_frames : number of frames averaged.
    """

    r: np.ndarray
    g_total: np.ndarray
    g_total_error: np.ndarray
    g_partial: dict
    g_partial_error: dict
    number_density: float
    n_frames: int


@dataclass(frozen=True)
class FirstPeakAndMinimum:
    """Position and height of the first peak and the following minimum of g(r).

    Positions in the length unit of r, heights dimensionless; each with a standard
    uncertainty (local-fit error, combined in quadrature with half a bin width for
    positions).
    """

    r_peak: float
    r_peak_uncertainty: float
    g_peak: float
    g_peak_uncertainty: float
    r_min: float
    r_min_uncertainty: float
    g_min: float
    g_min_uncertainty: float


def pair_distribution(positions, types, box, r_max, n_bins, pairs=None):
    """Total and partial g(r) for a periodic cell, averaged over frames.

    Parameters
    ----------
    positions : array_like, shape (N, 3) or (n_frames, N, 3)
        Cartesian coordinates; need not be wrapped into the cell.
    types : array_like, shape (N,)
        Atom type of each atom (same for all frames).
    box : array_like, shape (3, 3) or (n_frames, 3, 3)
        Box matrix h whose columns are the box vectors a, b, c (see analysis.box).
    r_max : float
        Largest distance; at most half the smallest perpendicular cell width.
    n_bins : int
        Number of equal bins on [0, r_max].
    pairs : iterable of (a, b), optional
        Type pairs for the partials; default all pairs a <= b.

    Returns
    -------
    PairDistribution
        g_ab(r) = n_ab(r) / [N_a (N_b - delta_ab) / V * 4 pi r^2 dr], with n_ab the
        ordered pair count, so that g -> 1 for an ideal gas (also for finite N).
        The total is the same with N_a = N_b = N; it equals the sum of the partials
        weighted by N_a (N_b - delta_ab) / (N (N - 1)) (twice for a != b).
    """
    types = np.asarray(types)
    frames = np.asarray(positions, dtype=float).reshape(-1, types.size, 3)
    boxes = np.broadcast_to(np.asarray(box, dtype=float), (len(frames), 3, 3))
    _check_cells(boxes, r_max)
    fractional = [_wrapped_fractional(x, h) for x, h in zip(frames, boxes)]
    edges = np.linspace(0.0, r_max, n_bins + 1)
    everyone = np.ones(types.size, dtype=bool)
    g_total, g_total_error = _pair_histogram(fractional, boxes, everyone, everyone, True, edges)
    partial = {(a, b): _pair_histogram(fractional, boxes, types == a, types == b, a == b, edges)
               for a, b in _type_pairs(types, pairs)}
    return PairDistribution(
        r=0.5 * (edges[1:] + edges[:-1]),
        g_total=g_total,
        g_total_error=g_total_error,
        g_partial={key: g for key, (g, _) in partial.items()},
        g_partial_error={key: err for key, (_, err) in partial.items()},
        number_density=float(np.mean(types.size / np.abs(np.linalg.det(boxes)))),
        n_frames=len(frames),
    )


def first_peak_and_minimum(r, g, min_prominence=0.1, smoothing_points=7, fit_depth=0.4):
    """Locate the first peak of g(r) and the first minimum after it.

    Candidates are found on a Savitzky-Golay smoothed copy (quadratic,
    ``smoothing_points`` wide) as extrema with prominence >= ``min_prominence``
    (in units of g), which skips noise wiggles and the g = 0 core. Each is then
    located below the bin resolution by a least-squares cubic through the raw
    points within the top ``fit_depth`` fraction of its prominence (at least
    2 * MIN_FIT_HALF_POINTS + 1 points).

    Parameters
    ----------
    r, g : array_like, shape (n,)
        Equally spaced bin centres (length) and g(r).

    Returns
    -------
    FirstPeakAndMinimum

    Raises
    ------
    ValueError
        If no sufficiently prominent peak, or no minimum after it, is found, or a
        local fit has no extremum inside its fit range.
    """
    r = np.asarray(r, dtype=float)
    g = np.asarray(g, dtype=float)
    g_smooth = savgol_filter(g, smoothing_points, polyorder=2)
    peaks, _ = find_peaks(g_smooth, prominence=min_prominence)
    if peaks.size == 0:
        raise ValueError(f"g(r) has no peak with prominence >= {min_prominence}")
    minima, _ = find_peaks(-g_smooth, prominence=min_prominence)
    minima = minima[minima > peaks[0]]
    if minima.size == 0:
        raise ValueError(f"g(r) has no minimum with prominence >= {min_prominence} "
                         f"after the first peak at r = {r[peaks[0]]:.4g}")
    half_bin = 0.5 * (r[1] - r[0])
    r_peak, r_peak_err, g_peak, g_peak_err = _cubic_maximum(r, g, g_smooth, peaks[0], fit_depth)
    r_min, r_min_err, minus_g_min, g_min_err = _cubic_maximum(r, -g, -g_smooth, minima[0], fit_depth)
    return FirstPeakAndMinimum(
        r_peak=r_peak, r_peak_uncertainty=float(np.hypot(r_peak_err, half_bin)),
        g_peak=g_peak, g_peak_uncertainty=g_peak_err,
        r_min=r_min, r_min_uncertainty=float(np.hypot(r_min_err, half_bin)),
        g_min=-minus_g_min, g_min_uncertainty=g_min_err,
    )


def _check_cells(boxes, r_max):
    if np.any(np.linalg.det(boxes) <= 0):
        raise ValueError("box vectors a, b, c must form a right-handed cell of positive volume")
    half_width = 0.5 * min(perpendicular_widths(h).min() for h in boxes)
    if not 0 < r_max <= half_width:
        raise ValueError(f"r_max = {r_max:.4g} must be positive and at most half the smallest "
                         f"perpendicular cell width ({half_width:.4g})")


def _wrapped_fractional(positions, h):
    """Fractional coordinates wrapped into [0, 1)."""
    return np.mod(fractional(positions, h), 1.0)


def _type_pairs(types, pairs):
    present = np.unique(types).tolist()
    if pairs is None:
        return list(itertools.combinations_with_replacement(present, 2))
    keys = [tuple(sorted(pair)) for pair in pairs]
    missing = {t for key in keys for t in key} - set(present)
    if missing:
        raise ValueError(f"types {sorted(missing)} requested in pairs are not present")
    return keys


def _pair_histogram(fractional_frames, boxes, in_a, in_b, same_set, edges):
    """g(r) and its Poisson error for pairs (i in a, j in b), summed over frames."""
    shell_volumes = 4.0 / 3.0 * np.pi * np.diff(edges**3)
    counts = np.zeros(len(edges) - 1)
    ideal = np.zeros(len(edges) - 1)
    for s, h in zip(fractional_frames, boxes):
        tree_a, tree_b = _periodic_trees(s[in_a], s[in_b], h, edges[-1])
        counts += tree_a.count_neighbors(tree_b, edges, cumulative=False)[1:]  # drop d = 0 (self)
        ideal += in_a.sum() * (in_b.sum() - same_set) / np.linalg.det(h) * shell_volumes
    multiplicity = 2 if same_set else 1  # ordered counts see each distinct pair twice
    g_error = np.sqrt(np.maximum(counts / multiplicity, 1.0)) / (ideal / multiplicity)
    return counts / ideal, g_error


def _periodic_trees(s_a, s_b, h, r_max):
    """KD-trees whose pair distances are the periodic ones (up to r_max).

    Orthogonal cell: both trees use cKDTree's toroidal ``boxsize``. Triclinic cell:
    tree b holds the periodic images of b within r_max of the cell.
    """
    if not np.any(h[~np.eye(3, dtype=bool)]):
        lengths = np.diag(h)
        return (cKDTree(np.mod(s_a * lengths, lengths), boxsize=lengths),
                cKDTree(np.mod(s_b * lengths, lengths), boxsize=lengths))
    images, _ = images_near_box(s_b, h, r_max)
    return cKDTree(s_a @ h.T), cKDTree(images)


def _cubic_maximum(r, y, y_smooth, index, fit_depth):
    """Maximum (r0, sigma_r0, y0, sigma_y0) of a cubic fitted around a maximum of y.

    The cubic term absorbs the asymmetry of g(r) peaks that biases a parabola.
    Errors follow from the fit covariance by implicit differentiation of p'(x0) = 0.
    """
    _, _, left, right = peak_widths(y_smooth, [index], rel_height=fit_depth)
    lo = max(0, min(int(np.floor(left[0])), index - MIN_FIT_HALF_POINTS))
    hi = min(len(r), max(int(np.ceil(right[0])), index + MIN_FIT_HALF_POINTS) + 1)
    x = r[lo:hi] - r[index]
    coef, cov = np.polyfit(x, y[lo:hi], 3, cov=True)
    slope, curvature = np.polyder(coef), np.polyder(coef, 2)
    roots = np.roots(slope)
    roots = roots[np.isreal(roots)].real
    maxima = roots[(roots >= x[0]) & (roots <= x[-1]) & (np.polyval(curvature, roots) < 0)]
    if maxima.size == 0:
        raise ValueError(f"no extremum of the local cubic fit near r = {r[index]:.4g}")
    x0 = maxima[np.argmin(np.abs(maxima))]
    exponents = np.arange(3, -1, -1)
    grad_y0 = x0**exponents
    grad_x0 = -exponents * x0 ** np.maximum(exponents - 1, 0) / np.polyval(curvature, x0)
    return (float(r[index] + x0), float(np.sqrt(grad_x0 @ cov @ grad_x0)),
            float(np.polyval(coef, x0)), float(np.sqrt(grad_y0 @ cov @ grad_y0)))


@dataclass(frozen=True, eq=False)
class StructureFactor:
    """Static structure factor S(q) on a grid of wavenumbers, and its main peak.

    q : wavenumbers (1 / length).
    s : S(q) (dimensionless).
    q_peak, q_peak_uncertainty : position of the main peak (1 / length); the
        uncertainty is the local-fit error combined in quadrature with half a q step,
        so it is numerical only (not the statistical error of g(r)).
    s_peak, s_peak_uncertainty : its height.
    """

    q: np.ndarray
    s: np.ndarray
    q_peak: float
    q_peak_uncertainty: float
    s_peak: float
    s_peak_uncertainty: float


def structure_factor(r, g, number_density, q, lorch=True):
    """S(q) = 1 + 4 pi rho int r^2 (g(r) - 1) W(r) sin(q r) / (q r) dr of a total g(r).

    The integral runs over the sampled range by the trapezoid rule. The Lorch
    window W(r) = sin(pi r / R) / (pi r / R), R = r[-1], damps the ripples of the
    truncation at R at the price of a broadening by about pi / R; W = 1 if
    ``lorch`` is false.

    Parameters
    ----------
    r, g : array_like, shape (n,)
        Increasing radii (length) and g(r), e.g. PairDistribution.r and .g_total.
    number_density : float
        rho = N / V (atoms per length**3).
    q : array_like, shape (m,)
        Wavenumbers (1 / length).

    Returns
    -------
    numpy.ndarray, shape (m,)
    """
    r = np.asarray(r, dtype=float)
    window = np.sinc(r / r[-1]) if lorch else 1.0
    radial = r**2 * (np.asarray(g, dtype=float) - 1.0) * window
    qr = np.multiply.outer(np.asarray(q, dtype=float), r)
    return 1.0 + 4.0 * np.pi * number_density * trapezoid(radial * np.sinc(qr / np.pi), r, axis=-1)


def first_peak_of_structure_factor(r, g, number_density, q_max=None, q_step=None, lorch=True,
                                   fit_depth=0.05):
    """S(q) of a total g(r) and the position and height of its main peak q1.

    The peak is the highest maximum of S(q) on (0, q_max], the first sharp peak of a
    liquid or glass (q1 r_nn ~ 7-7.7), located below the q step by a local cubic fit
    through the points within the top ``fit_depth`` fraction of its prominence (S(q)
    is smooth, so a narrow fit keeps the bias of the cubic small).

    Parameters
    ----------
    r, g, number_density, lorch
        As in structure_factor.
    q_max : float, optional
        Largest wavenumber (1 / length); default 4 pi / r_nn with r_nn the r of the
        highest g(r), which takes in the main peak (q1 r_nn ~ 7-7.7) with a margin.
    q_step : float, optional
        Grid step (1 / length); default pi / (10 r[-1]), a tenth of the resolution
        of a transform truncated at r[-1].

    Returns
    -------
    StructureFactor

    Raises
    ------
    ValueError
        If the highest S(q) lies at an end of the q range.
    """
    r, g = np.asarray(r, dtype=float), np.asarray(g, dtype=float)
    q_max = 4.0 * np.pi / r[np.argmax(g)] if q_max is None else q_max
    q_step = np.pi / (10.0 * r[-1]) if q_step is None else q_step
    q = q_step * np.arange(1, int(q_max / q_step) + 1)
    s = structure_factor(r, g, number_density, q, lorch)
    peak = int(np.argmax(s))
    if peak in (0, q.size - 1):
        raise ValueError(f"the highest S(q) is at the end of the range q = {q[0]:.4g} .. {q[-1]:.4g}; "
                         f"widen q_max")
    q_peak, q_peak_err, s_peak, s_peak_err = _cubic_maximum(q, s, s, peak, fit_depth)
    return StructureFactor(q=q, s=s,
                           q_peak=q_peak, q_peak_uncertainty=float(np.hypot(q_peak_err, 0.5 * q_step)),
                           s_peak=s_peak, s_peak_uncertainty=s_peak_err)
