"""Every figure writes the numbers it plots beside it, read back from the drawn figure."""

import numpy as np
import pandas as pd
import pytest

from mgrelax.figures import plotted_data, plt, save


@pytest.fixture
def figure():
    """Two panels with each kind of plot the workflow draws, of known numbers."""
    figure, (left, right) = plt.subplots(1, 2)
    left.plot([1.0, 2.0, 3.0], [4.0, 5.0, 6.0], label="V(T)")
    left.axvline(2.0)  # a guide, not data
    left.errorbar([1.0, 2.0], [3.0, 4.0], yerr=[0.1, 0.2], fmt="o", label="mean")
    left.fill_between([1.0, 2.0, 3.0], [0.0, 1.0, 2.0], [1.0, 3.0, 5.0], label="spread")
    left.set_xlabel("T (K)")
    left.set_ylabel("V (Å$^3$/atom)")
    right.hist([1.0, 1.2, 2.0, 3.0, 3.1, 3.2], bins=[0.5, 1.5, 2.5, 3.5])
    cells = right.pcolormesh([1.0, 2.0], [10.0, 20.0], np.array([[1.0, 2.0], [3.0, 4.0]]),
                             shading="nearest")
    figure.colorbar(cells)
    right.scatter([5.0, 6.0], [7.0, 8.0], c=[0.5, 0.25])
    yield figure
    plt.close(figure)


def test_plotted_data_holds_every_number_drawn(figure):
    data = plotted_data(figure)
    line = data[data.kind == "line"]
    assert line.x.tolist() == [1.0, 2.0, 3.0] and line.y.tolist() == [4.0, 5.0, 6.0]
    assert set(line.series) == {"V(T)"} and set(line.x_label) == {"T (K)"}
    errors = data[data.kind == "errorbar"]
    assert np.allclose(errors.y_low, [2.9, 3.8]) and np.allclose(errors.y_high, [3.1, 4.2])
    band = data[data.kind == "band"]
    assert band.x.tolist() == [1.0, 2.0, 3.0] and band.y_high.tolist() == [1.0, 3.0, 5.0]
    bars = data[data.kind == "bar"]
    assert bars.x.tolist() == [1.0, 2.0, 3.0] and bars.y.tolist() == [2.0, 1.0, 3.0]
    mesh = data[data.kind == "mesh"]
    assert list(zip(mesh.x, mesh.y, mesh.value)) == [(1.0, 10.0, 1.0), (2.0, 10.0, 2.0),
                                                     (1.0, 20.0, 3.0), (2.0, 20.0, 4.0)]
    points = data[data.kind == "points"]
    assert points.value.tolist() == [0.5, 0.25]
    assert len(data) == 3 + 2 + 3 + 3 + 4 + 2  # the axvline and the colour bar are not data


def test_panels_sharing_an_axis_carry_its_label():
    figure, (top, bottom) = plt.subplots(2, 1, sharex=True)
    top.plot([300.0, 400.0], [1.0, 2.0])
    bottom.plot([300.0, 400.0], [3.0, 4.0])
    bottom.set_xlabel("T (K)")
    assert set(plotted_data(figure).x_label) == {"T (K)"}
    plt.close(figure)


def test_save_writes_png_pdf_and_csv(figure, tmp_path):
    save(figure, tmp_path / "f.png", tmp_path / "f.pdf")
    assert (tmp_path / "f.png").stat().st_size > 1000
    assert (tmp_path / "f.pdf").read_bytes().startswith(b"%PDF")
    table = pd.read_csv(tmp_path / "f.csv")
    assert table[table.kind == "line"].y.tolist() == [4.0, 5.0, 6.0]
