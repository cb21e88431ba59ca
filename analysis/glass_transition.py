"""Glass-transition temperature from the change of slope of V(T), E(T) or H(T).

Two estimators of the same kink: the crossing of straight lines fitted to a glass
and a liquid window (fit_glass_transition, the usual MD practice), and the breakpoint
of a continuous two-line (hinge) fit over the whole range between the windows' outer
edges (fit_hinge_transition), which also uses the points near Tg. The statistical
error of both comes from an AR(1) sieve bootstrap of the fit residuals, which keeps
the correlation of successive records of one quench.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.signal import lfilter
from scipy.stats import linregress

DEFAULT_WINDOW_FRACTION = 0.3
"""Nominal width of each fit window as a fraction of the temperature range.

The glass window is the lowest 30 % and the liquid window the highest 30 % of the
range, leaving the middle 40 % (where Tg and the curved supercooled-liquid region
lie) out of both fits. This assumes Tg lies near the middle of the recorded range;
otherwise pass the windows explicitly.
"""

WINDOW_SPREAD = 1.0 / 3.0
"""Relative variation of each window width: inner edges are moved so that widths
span (1 - WINDOW_SPREAD, 1 + WINDOW_SPREAD) x nominal (20 % to 40 % by default)."""

MIN_POINTS_PER_WINDOW = 3
KINK_SIGNIFICANCE = 3.0
"""The two slopes must differ by more than this many combined standard errors."""

BOOTSTRAP_RESAMPLES = 200
"""Bootstrap resamples behind each statistical error (half the central 68 % of the draws:
its relative precision is a few per cent, somewhat coarser than the 5 % of an sd)."""


@dataclass(frozen=True)
class GlassTransition:
    """Result of a two-line fit.

    tg : crossing temperature of the nominal (central) windows, unit of the input.
    tg_window_sd : standard deviation of the crossing over all window choices
        (systematic: the same windows serve every sample).
    tg_statistical_error : spread (half the central 68 % range) of the central crossing
        over bootstrap resamples of the residuals (the noise of this one quench record).
    tg_uncertainty : sqrt(tg_window_sd^2 + tg_statistical_error^2).
    slope_glass, slope_liquid : d(quantity)/dT of the central fits.
    intercept_glass, intercept_liquid : quantity at T = 0 of the central fits.
    n_windows : number of (glass, liquid) window combinations used.
    """

    tg: float
    tg_window_sd: float
    tg_statistical_error: float
    tg_uncertainty: float
    slope_glass: float
    slope_liquid: float
    intercept_glass: float
    intercept_liquid: float
    n_windows: int


def fit_glass_transition(temperature, quantity, glass_window=None, liquid_window=None,
                         n_variations=5):
    """Tg as the crossing of straight-line fits to the glass and liquid branches.

    Parameters
    ----------
    temperature, quantity : array_like, shape (n,)
        Quench record, e.g. T in K and volume or energy per atom; any order.
    glass_window, liquid_window : (float, float), optional
        Nominal (low, high) temperature ranges of the two fits. Default: lowest and
        highest ``DEFAULT_WINDOW_FRACTION`` of the range.
    n_variations : int, odd, >= 3
        Number of inner-edge positions per window; the inner edge (high edge of the
        glass window, low edge of the liquid window) is varied so that the width spans
        (1 -/+ WINDOW_SPREAD) x nominal. All n_variations**2 combinations are fitted.

    Returns
    -------
    GlassTransition
        ``tg`` from the central (nominal) windows, ``tg_uncertainty`` the standard
        deviation of the crossing temperatures over all window combinations.

    Raises
    ------
    ValueError
        Too few points in a window, windows overlapping, slopes equal within
        ``KINK_SIGNIFICANCE`` standard errors (no kink), or crossing outside the data.
    """
    t, y = _validated_series(temperature, quantity)
    if n_variations < 3 or n_variations % 2 == 0:
        raise ValueError(f"n_variations must be odd and >= 3, got {n_variations}")
    span = t.max() - t.min()
    if glass_window is None:
        glass_window = (t.min(), t.min() + DEFAULT_WINDOW_FRACTION * span)
    if liquid_window is None:
        liquid_window = (t.max() - DEFAULT_WINDOW_FRACTION * span, t.max())
    glass_fits = [_line_fit(t, y, w)
                  for w in _inner_edge_variations(min(glass_window), max(glass_window), n_variations)]
    liquid_fits = [_line_fit(t, y, w)
                   for w in _inner_edge_variations(max(liquid_window), min(liquid_window), n_variations)]
    if max(glass_fits[-1].window) > min(liquid_fits[-1].window):
        raise ValueError(f"glass window {glass_window} and liquid window {liquid_window} overlap "
                         f"once widened by {WINDOW_SPREAD:.0%}")
    central_glass, central_liquid = glass_fits[n_variations // 2], liquid_fits[n_variations // 2]
    _require_kink(central_glass, central_liquid)
    tg = float(_crossing(central_glass, central_liquid))
    if not t.min() <= tg <= t.max():
        raise ValueError(f"the glass and liquid lines cross at T = {tg:.4g}, outside the "
                         f"data range [{t.min():.4g}, {t.max():.4g}]")
    crossings = [_crossing(g, l) for g in glass_fits for l in liquid_fits]
    window_sd = float(np.std(crossings, ddof=1))
    statistical = _window_crossing_error(t, y, central_glass, central_liquid)
    return GlassTransition(
        tg=tg,
        tg_window_sd=window_sd,
        tg_statistical_error=statistical,
        tg_uncertainty=float(np.hypot(window_sd, statistical)),
        slope_glass=central_glass.slope,
        slope_liquid=central_liquid.slope,
        intercept_glass=central_glass.intercept,
        intercept_liquid=central_liquid.intercept,
        n_windows=len(crossings),
    )


@dataclass(frozen=True)
class _LineFit:
    window: tuple
    slope: float
    slope_stderr: float
    intercept: float


def _validated_series(temperature, quantity):
    t = np.asarray(temperature, dtype=float)
    y = np.asarray(quantity, dtype=float)
    if t.ndim != 1 or t.shape != y.shape:
        raise ValueError(f"temperature and quantity must be 1-D of equal length, got {t.shape} and {y.shape}")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(y))):
        raise ValueError("temperature and quantity must be finite")
    if t.size < 2 * MIN_POINTS_PER_WINDOW:
        raise ValueError(f"need at least {2 * MIN_POINTS_PER_WINDOW} points, got {t.size}")
    order = np.argsort(t)  # makes the fit bitwise independent of the input order
    return t[order], y[order]


def _inner_edge_variations(outer, inner, n_variations):
    """Windows (outer, inner') sharing the outer edge; the central one is the nominal."""
    fractions = np.linspace(1 - WINDOW_SPREAD, 1 + WINDOW_SPREAD, n_variations)
    return [(outer, outer + f * (inner - outer)) for f in fractions]


def _line_fit(t, y, window):
    inside = (t >= min(window)) & (t <= max(window))
    if inside.sum() < MIN_POINTS_PER_WINDOW:
        raise ValueError(f"only {inside.sum()} points in the fit window "
                         f"[{min(window):.4g}, {max(window):.4g}]; need {MIN_POINTS_PER_WINDOW}")
    fit = linregress(t[inside], y[inside])
    return _LineFit(window, float(fit.slope), float(fit.stderr), float(fit.intercept))


def _require_kink(glass, liquid):
    difference = abs(liquid.slope - glass.slope)
    noise = KINK_SIGNIFICANCE * np.hypot(glass.slope_stderr, liquid.slope_stderr)
    if difference <= noise or np.isclose(glass.slope, liquid.slope, rtol=1e-9, atol=0.0):
        raise ValueError(f"no kink: glass slope {glass.slope:.4g} +/- {glass.slope_stderr:.2g} and "
                         f"liquid slope {liquid.slope:.4g} +/- {liquid.slope_stderr:.2g} are equal "
                         f"within {KINK_SIGNIFICANCE:g} standard errors")


def _crossing(glass, liquid):
    return (liquid.intercept - glass.intercept) / (glass.slope - liquid.slope)


@dataclass(frozen=True)
class HingeTransition:
    """Breakpoint of a continuous two-line fit (unit of the input temperature).

    tg : the breakpoint; tg_error : half the central 68 % range of its bootstrap draws;
    slope_glass, slope_liquid : slopes below and above it; n_points : points fitted.
    """

    tg: float
    tg_error: float
    slope_glass: float
    slope_liquid: float
    n_points: int


def fit_hinge_transition(temperature, quantity, fit_range, breakpoint_range) -> HingeTransition:
    """Tg as the breakpoint of y = a + b (T - Tg) + c max(T - Tg, 0), least squares over
    the points in ``fit_range`` with Tg searched inside ``breakpoint_range`` (both
    (low, high) in the unit of ``temperature``).

    Raises ValueError if the best breakpoint sits on an edge of ``breakpoint_range``
    (no kink inside it).
    """
    t, y = _validated_series(temperature, quantity)
    inside = (t >= min(fit_range)) & (t <= max(fit_range))
    t, y = t[inside], y[inside]
    low, high = min(breakpoint_range), max(breakpoint_range)
    tg = _best_breakpoint(t, y, low, high)
    edge = 1e-3 * (high - low)
    if not low + edge < tg < high - edge:
        raise ValueError(f"the hinge breakpoint sits on the edge of [{low:.4g}, {high:.4g}]: "
                         "no kink inside the searched range")
    coefficients = _hinge_coefficients(t, y, tg)
    fitted = _hinge_design(t, tg) @ coefficients
    grid = _breakpoint_grid(t, low, high)
    draws = _parabolic_minima(grid, _hinge_residuals(grid, t, _sieve_resamples(fitted, y - fitted)))
    return HingeTransition(tg=float(tg), tg_error=_spread(draws),
                           slope_glass=float(coefficients[1]),
                           slope_liquid=float(coefficients[1] + coefficients[2]),
                           n_points=int(t.size))


def _hinge_design(t, breakpoint):
    return np.column_stack([np.ones_like(t), t - breakpoint, np.maximum(t - breakpoint, 0.0)])


def _hinge_coefficients(t, y, breakpoint):
    return np.linalg.lstsq(_hinge_design(t, breakpoint), y, rcond=None)[0]


def _hinge_residuals(breakpoints, t, series):
    """Residual sums of squares of the hinge fit, shape (len(breakpoints), n_series), for
    every breakpoint and every series (rows of ``series``) at once."""
    series = np.atleast_2d(series)
    total = np.sum(series**2, axis=1)
    rss = []
    for breakpoint in np.atleast_1d(breakpoints):
        basis = np.linalg.qr(_hinge_design(t, breakpoint))[0]
        rss.append(total - np.sum((series @ basis) ** 2, axis=1))
    return np.array(rss)


def _breakpoint_grid(t, low, high):
    """The candidate breakpoints: the data temperatures inside (low, high) and both edges."""
    return np.unique(np.concatenate([[low, high], t[(t > low) & (t < high)]]))


def _parabolic_minima(grid, residuals):
    """Per column of ``residuals`` (shape (len(grid), n)): the vertex of the parabola
    through the grid minimum and its two neighbours, so that the minimum is resolved
    finer than the grid (the records' temperature step)."""
    best = np.clip(np.argmin(residuals, axis=0), 1, grid.size - 2)
    columns = np.arange(residuals.shape[1])
    x = np.stack([grid[best - 1], grid[best], grid[best + 1]])
    r = np.stack([residuals[best + k, columns] for k in (-1, 0, 1)])
    numerator = (x[1] - x[0])**2 * (r[1] - r[2]) - (x[1] - x[2])**2 * (r[1] - r[0])
    denominator = (x[1] - x[0]) * (r[1] - r[2]) - (x[1] - x[2]) * (r[1] - r[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        vertex = x[1] - 0.5 * numerator / denominator
    inside = (denominator < 0) & (vertex >= x[0]) & (vertex <= x[2])  # a minimum
    return np.where(inside, vertex, grid[np.argmin(residuals, axis=0)])


def _best_breakpoint(t, y, low, high):
    """Global minimum of the hinge residual: a scan over the candidate breakpoints, then a
    bounded refinement between the scan's neighbours."""
    grid = _breakpoint_grid(t, low, high)
    scan = _hinge_residuals(grid, t, y)[:, 0]
    best = int(np.argmin(scan))
    bracket = (grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)])
    refined = minimize_scalar(lambda b: _hinge_residuals(b, t, y)[0, 0], bounds=bracket,
                              method="bounded")
    return float(refined.x) if refined.fun < scan[best] else float(grid[best])


def _window_crossing_error(t, y, glass, liquid):
    """Bootstrap spread of the crossing of the two window lines."""
    parts = []
    for line in (glass, liquid):
        inside = (t >= min(line.window)) & (t <= max(line.window))
        fitted = line.intercept + line.slope * t[inside]
        parts.append((t[inside], _sieve_resamples(fitted, y[inside] - fitted)))
    crossings = []
    for y_glass, y_liquid in zip(parts[0][1], parts[1][1]):
        fits = [linregress(parts[0][0], y_glass), linregress(parts[1][0], y_liquid)]
        crossings.append((fits[1].intercept - fits[0].intercept) / (fits[0].slope - fits[1].slope))
    return _spread(crossings)


def _spread(draws) -> float:
    """Half the width of the central 68.3 % of the bootstrap draws: their standard
    deviation where they are normal, robust to the few draws whose lines are nearly
    parallel and cross far away."""
    low, high = np.percentile(draws, [15.87, 84.13])
    return float(high - low) / 2


def _sieve_resamples(fitted, residuals, n_resamples=BOOTSTRAP_RESAMPLES, seed=0):
    """fitted + resampled residuals, shape (n_resamples, n): an AR(1) sieve bootstrap
    (Buehlmann 1997). The residuals' lag-1 autocorrelation phi gives the innovations
    r_t - phi r_(t-1), drawn with replacement and filtered back into AR(1) series, so a
    resample keeps the correlation of successive records of one quench."""
    phi = float(np.clip(_lag1_correlation(residuals), 0.0, 0.95))
    innovations = residuals[1:] - phi * residuals[:-1]
    innovations = innovations - innovations.mean()
    rng = np.random.default_rng(seed)
    drawn = rng.choice(innovations, size=(n_resamples, residuals.size))
    drawn[:, 0] = rng.choice(residuals, size=n_resamples)  # a stationary start
    return fitted + lfilter([1.0], [1.0, -phi], drawn, axis=1)


def _lag1_correlation(residuals):
    """Lag-1 autocorrelation with the small-sample bias of an AR(1) estimate removed:
    E[r1] = phi - (1 + 3 phi) / n (Marriott and Pope 1954), solved for phi."""
    centred = residuals - residuals.mean()
    variance = np.dot(centred, centred)
    if variance == 0:
        return 0.0
    n = residuals.size
    return (n * np.dot(centred[:-1], centred[1:]) / variance + 1.0) / max(n - 3.0, 1.0)
