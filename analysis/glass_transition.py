"""Glass-transition temperature from the change of slope of V(T), E(T) or H(T)."""

from dataclasses import dataclass

import numpy as np
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


@dataclass(frozen=True)
class GlassTransition:
    """Result of a two-line fit.

    tg : crossing temperature of the nominal (central) windows, unit of the input.
    tg_uncertainty : sample standard deviation of the crossing over all window choices.
    slope_glass, slope_liquid : d(quantity)/dT of the central fits.
    intercept_glass, intercept_liquid : quantity at T = 0 of the central fits.
    n_windows : number of (glass, liquid) window combinations used.
    """

    tg: float
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
    return GlassTransition(
        tg=tg,
        tg_uncertainty=float(np.std(crossings, ddof=1)),
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
