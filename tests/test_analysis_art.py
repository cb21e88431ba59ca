"""ART statistics on hand-made events with known answers: duplicates, the spectrum's mean
and interval, the success rate, and the summary record built from them."""

import numpy as np
import pandas as pd
import pytest

from scipy.stats import beta

from analysis.art import duplicate_of, spectrum_statistics, success_rate
from mgrelax.art.engine import LEVEL_STATUSES, LEVELS
from mgrelax.art.figures import spectrum_figure
from mgrelax.art.jobs import EventTable
from mgrelax.art.summary import mark_duplicates, summary_record
from mgrelax.figures import plotted_data

N_ATOMS = 4


def displacement(atom: int, length: float) -> np.ndarray:
    """An event that moves one atom along x by ``length`` (A)."""
    field = np.zeros((N_ATOMS, 3))
    field[atom, 0] = length
    return field


def test_duplicates_are_the_same_sample_energy_and_displacements_and_the_first_is_kept():
    events = [  # sample, saddle energy (eV), displacement, verified
        (0, -100.000, displacement(0, 1.0), True),    # 0: kept
        (0, -100.0008, displacement(0, 1.05), True),  # 1: repeats 0 (0.8 meV, 0.05 A)
        (1, -100.000, displacement(0, 1.0), True),    # 2: another sample: kept
        (0, -100.000, displacement(0, 1.2), True),    # 3: an atom differs by 0.2 A: kept
        (0, -100.002, displacement(0, 1.0), True),    # 4: 2 meV apart: kept
        (0, -100.000, displacement(0, 1.0), False),   # 5: not verified: never a duplicate
        (0, -100.0001, displacement(0, 1.15), True),  # 6: 0.15 A from 0, 0.05 A from 3
        (0, -99.9995, displacement(0, 1.09), True),   # 7: repeats 0, the first that matches
    ]
    samples, energies, fields, verified = zip(*events)
    result = duplicate_of(samples, energies, np.array(fields), np.array(verified),
                          energy_tolerance=1e-3, distance_tolerance=0.1)
    assert result.tolist() == [-1, 0, -1, -1, -1, -1, 3, 0]


def test_spectrum_mean_interval_sd_median_and_lognormal_fit():
    statistics = spectrum_statistics([1.0, 2.0, 3.0, 4.0])
    assert statistics.n == 4 and statistics.mean == 2.5 and statistics.median == 2.5
    assert statistics.sd == pytest.approx(np.sqrt(5 / 3))
    half = 3.182446305284263 * np.sqrt(5 / 3) / 2   # t(0.975, 3 dof) x sem
    assert statistics.mean_interval == pytest.approx((2.5 - half, 2.5 + half))
    assert statistics.lognormal.n == 4 and statistics.lognormal.median > 0
    assert statistics.note == ""


@pytest.mark.parametrize("energies, note", [([], "0 unique event"),
                                            ([1.2], "1 unique event"),
                                            ([0.5, -0.1, 0.7], "non-positive")])
def test_a_small_or_non_positive_spectrum_says_why_it_has_no_fit(energies, note):
    statistics = spectrum_statistics(energies)
    assert statistics.lognormal is None and note in statistics.note
    if len(energies) < 2:
        assert np.isnan(statistics.sd) and np.isnan(statistics.mean_interval[0])


def test_success_rate_has_the_clopper_pearson_interval():
    rate = success_rate(3, 10)
    assert rate.rate == 0.3
    assert rate.interval == pytest.approx((0.0667395111, 0.6524528500), abs=1e-9)
    assert success_rate(0, 4).interval[0] == 0.0


def level_rows() -> pd.DataFrame:
    """Six searches: two strict events (one repeating the other's saddle), a metabasin
    event through a neighbour, a first-order saddle out of an unrelated basin, a search
    whose neighbour's path did not converge, and a failure (energies in eV)."""
    return pd.DataFrame({
        "status": ["saddle", "saddle", "neighbour_saddle", "not_connected", "spectator_flip",
                   "lost_curvature"],
        "sample": [0, 0, 0, 0, 0, 0],
        "saddle_energy": [-99.0, -99.0, -98.0, -97.0, -96.5, np.nan],
        "activation_energy": [1.0, 1.0, 2.0, 3.0, 3.5, np.nan],
        "force_calls": [100, 300, 500, 700, 800, 50],
        "neighbour_energy": [np.nan, np.nan, -99.95, np.nan, -99.96, np.nan],
        "neighbour_connected": [False, False, True, False, False, False],
        "neb_force_calls": [0, 0, 400, 0, 600, 0],
        **{level: [status in statuses for status in ["saddle", "saddle", "neighbour_saddle",
                                                     "not_connected", "spectator_flip",
                                                     "lost_curvature"]]
           for level, statuses in LEVEL_STATUSES.items()},
    })


def marked_rows(spectrum_level: str) -> pd.DataFrame:
    """level_rows with duplicates marked: search 1 repeats search 0's saddle."""
    fields = np.stack([displacement(0, 1.0)] * 2 + [displacement(i, 1.0) for i in range(4)])
    events = EventTable(level_rows(), fields, fields, {0: np.zeros((N_ATOMS, 3))})
    art = {"spectrum_level": spectrum_level,
           "duplicates": {"energy_tolerance": 1e-3, "distance_tolerance": 0.1}}
    return mark_duplicates(events, art).rows


def level_summary(spectrum_level: str) -> tuple[pd.DataFrame, dict]:
    """marked_rows and their summary.json record."""
    rows = marked_rows(spectrum_level)
    config = {"n_atoms": 250, "samples": 2, "quench": {"cooling_rate": 1e14},
              "art": {"centres": 1, "searches_per_centre": 6, "temperature": 300,
                      "spectrum_level": spectrum_level, "metabasin": {"energy": 0.1}}}
    return rows, summary_record(rows, config)


def test_duplicates_are_marked_within_each_level():
    marked = marked_rows("metabasin")
    assert marked["unique_strict"].tolist() == [True, False, False, False, False, False]
    assert marked["unique_metabasin"].tolist() == [True, False, True, False, False, False]
    assert marked["unique_first_order"].tolist() == [True, False, True, True, True, False]
    assert marked["unique"].equals(marked["unique_metabasin"])
    assert marked["duplicate_of"].tolist() == [-1, 0, -1, -1, -1, -1]


def test_summary_counts_each_level_with_its_clopper_pearson_interval():
    _, summary = level_summary("metabasin")
    assert (summary["searches"], summary["unique"], summary["duplicates"]) == (6, 2, 1)
    counts = {level: record["successes"] for level, record in summary["levels"].items()}
    assert counts == {"first_order": 5, "metabasin": 3, "strict": 2}
    for level, count in counts.items():  # the beta-quantile form of Clopper-Pearson
        expected = (beta.ppf(0.025, count, 6 - count + 1), beta.ppf(0.975, count + 1, 6 - count))
        assert summary["levels"][level]["interval"] == pytest.approx(expected, abs=1e-9)
    assert summary["activation_energy"]["mean"] == 1.5 and summary["activation_energy"][
        "level"] == "metabasin"
    assert summary["levels"]["first_order"]["activation_energy"]["n"] == 4
    assert summary["levels"]["strict"]["median_force_calls"] == 200
    assert summary["force_calls_per_saddle"]["median"] == 300
    assert (summary["neighbours"]["checked"], summary["neighbours"]["connected"]) == (2, 1)
    assert summary["statuses"]["saddle"] == 2 and summary["scale"]["samples"] == 1


def test_the_spectrum_figure_names_its_level_and_outlines_the_others():
    """Bars: the spectrum level's unique events; the other two levels as outlines of
    the same counts; the title names the level; the outcome of every search is printed
    outside the axes and their labels (it once sat over the legend)."""
    rows, summary = level_summary("strict")
    spectra = {level: rows.loc[rows[f"unique_{level}"], "activation_energy"].to_numpy()
               for level in LEVELS}
    figure = spectrum_figure(spectra, summary)
    plotted = plotted_data(figure)
    assert plotted.loc[plotted["kind"] == "bar", "y"].sum() == summary["unique"] == 1
    outlines = plotted[plotted["series"].isin(["first_order", "metabasin"])]
    assert outlines.groupby("series")["y"].apply(lambda y: y.iloc[:-1].sum()).to_dict() == \
        {"first_order": 4, "metabasin": 2}
    assert "strict" in figure.axes[0].get_title()
    renderer = figure.canvas.get_renderer()
    outcomes = figure.texts[0].get_window_extent(renderer)
    assert "searches" in figure.texts[0].get_text()
    assert not outcomes.overlaps(figure.axes[0].get_tightbbox(renderer))
