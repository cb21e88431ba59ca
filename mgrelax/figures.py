"""Figures: style, saving (PNG, vector PDF and the plotted numbers as CSV, sized for a
journal column) and what the stages' figures share; each stage draws its own in its
``figures`` module."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.collections import PathCollection, PolyCollection, QuadMesh  # noqa: E402
from matplotlib.container import BarContainer, ErrorbarContainer  # noqa: E402

COLUMN_WIDTH_IN = 3.4
PLOTTED_COLUMNS = ["panel", "x_label", "y_label", "series", "kind", "x", "y", "y_low",
                   "y_high", "width", "value"]


def unit_label(unit: str) -> str:
    """A unit name as typeset on an axis."""
    return unit.replace("Angstrom", "Å").replace("^3", "$^3$")


def use_style(dpi: int = 300, font_size: float = 8.0) -> None:
    """Matplotlib defaults of every figure: PNG resolution (dots per inch) and font size
    (pt). The config's ``figures`` section sets them for a workflow job (the schema has
    the same defaults)."""
    plt.rcParams.update({"savefig.dpi": dpi, "font.size": font_size})


use_style()


def temperature_colours(temperatures) -> dict:
    """A colour per temperature, from blue (coldest) to yellow (hottest), all visible on
    white."""
    temperatures = sorted(set(temperatures))
    return {t: plt.cm.plasma(0.85 * i / max(1, len(temperatures) - 1))
            for i, t in enumerate(temperatures)}


def panel_note(axis, *lines: str, width: int = 60) -> None:
    """Notes of a panel (counts, why a fit is missing) as its title, above the axes, so
    that they never cover the data; wrapped at ``width`` characters."""
    text = "\n".join(textwrap.fill(line, width) for line in lines if line)
    axis.set_title(text, fontsize=5, loc="left")


def save(figure, png: Path, pdf: Path) -> None:
    """The figure as PNG (at the style's dpi) and vector PDF, and the numbers it plots as
    a CSV beside them (:func:`plotted_data`), so that a reader can re-plot or check it."""
    plotted_data(figure).to_csv(Path(png).with_suffix(".csv"), index=False)
    figure.savefig(png, bbox_inches="tight")
    figure.savefig(pdf, bbox_inches="tight")
    plt.close(figure)


def plotted_data(figure) -> pd.DataFrame:
    """Every number drawn in ``figure``, one row per point, in the units of its axes.

    Columns: ``panel`` (axes index), ``x_label``, ``y_label`` (with units), ``series``
    (legend label), ``kind`` (line, errorbar, bar, points, band, mesh), ``x``, ``y``,
    and where they apply ``y_low``/``y_high`` (error bar or band limits), ``width``
    (bars) and ``value`` (colour of points or mesh cells). Lines without data of their
    own (axvline, axhline, spans) are left out.
    """
    rows = []
    for panel, axis in enumerate(figure.axes):
        if axis.get_label() == "<colorbar>":
            continue
        labels = {"panel": panel, "x_label": _axis_label(axis, "x"),
                  "y_label": _axis_label(axis, "y")}
        in_containers = set()
        for container in axis.containers:
            in_containers.update(_artists_of(container))
            rows += [{**labels, **row} for row in _container_rows(container)]
        for line in axis.lines:
            if line not in in_containers and not _is_guide(line, axis):
                x, y = (np.asarray(v, float) for v in line.get_data())
                rows += [{**labels, "series": _series(line), "kind": "line", "x": a, "y": b}
                         for a, b in zip(x, y)]
        for collection in axis.collections:
            if collection not in in_containers:
                rows += [{**labels, **row} for row in _collection_rows(collection)]
    return pd.DataFrame(rows, columns=PLOTTED_COLUMNS)


def _axis_label(axis, which: str) -> str:
    """The axis's label, or that of an axis it shares (sharex panels label only one)."""
    siblings = getattr(axis, f"get_shared_{which}_axes")().get_siblings(axis)
    labels = [getattr(a, f"get_{which}label")() for a in [axis, *siblings]]
    return next((label for label in labels if label), "")


def _series(artist) -> str:
    label = artist.get_label() or ""
    return "" if label.startswith("_") else label


def _is_guide(line, axis) -> bool:
    """axvline/axhline: two points spanning the axes in one coordinate."""
    x, y = line.get_data()
    return len(x) == 2 and (tuple(x) == (0, 1) or tuple(y) == (0, 1)) and \
        line.get_transform() != axis.transData


def _artists_of(container) -> set:
    artists = set()
    for item in container:
        if isinstance(item, (tuple, list)):
            artists.update(item)
        elif item is not None:
            artists.add(item)
    return artists


def _container_rows(container) -> list[dict]:
    if isinstance(container, BarContainer):
        return [{"series": _series(container), "kind": "bar", "x": bar.get_x() + bar.get_width() / 2,
                 "y": bar.get_height(), "width": bar.get_width()} for bar in container]
    if isinstance(container, ErrorbarContainer):
        line, _, bar_collections = container.lines
        x, y = (np.asarray(v, float) for v in line.get_data())
        low, high = y.copy(), y.copy()
        for segments in (c.get_segments() for c in bar_collections):
            vertical = [s for s in segments if len(s) == 2 and s[0][0] == s[1][0]]
            if len(vertical) == len(x):
                low = np.array([min(s[0][1], s[1][1]) for s in vertical])
                high = np.array([max(s[0][1], s[1][1]) for s in vertical])
        return [{"series": _series(container), "kind": "errorbar", "x": a, "y": b,
                 "y_low": lo, "y_high": hi} for a, b, lo, hi in zip(x, y, low, high)]
    return []


def _collection_rows(collection) -> list[dict]:
    series = _series(collection)
    if isinstance(collection, QuadMesh):
        corners = collection.get_coordinates()
        centres = (corners[:-1, :-1] + corners[1:, 1:]) / 2
        values = np.ma.filled(collection.get_array().astype(float), np.nan).ravel()
        points = centres.reshape(-1, 2)
        return [{"series": series, "kind": "mesh", "x": x, "y": y, "value": v}
                for (x, y), v in zip(points, values)]
    if isinstance(collection, PolyCollection) and collection.get_paths():
        # fill_between: a start point, n points of y1, an end point, n points of y2
        # backwards, the closing point
        vertices = collection.get_paths()[0].vertices
        n = (len(vertices) - 3) // 2
        first, second = vertices[1:n + 1], vertices[n + 2:2 * n + 2][::-1]
        if n < 1 or not np.allclose(first[:, 0], second[:, 0]):
            return []
        return [{"series": series, "kind": "band", "x": a[0], "y_low": min(a[1], b[1]),
                 "y_high": max(a[1], b[1])} for a, b in zip(first, second)]
    if isinstance(collection, PathCollection):
        values = collection.get_array()
        return [{"series": series, "kind": "points", "x": x, "y": y,
                 "value": np.nan if values is None else float(values[index])}
                for index, (x, y) in enumerate(collection.get_offsets())]
    return []


