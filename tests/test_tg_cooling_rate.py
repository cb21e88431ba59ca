"""Tg against cooling rate: the study's table from Tg records, and the real workflow
(Snakemake + LAMMPS) on the tiny config with two extra rates (about a minute)."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import TINY_CONFIG, run_snakemake
from mgrelax.glass.tg_rate import rate_lines, sample_tg, tg_rate_table
from mgrelax.lammps_io import read_hdf5
from mgrelax.units import METAL

EXTRA_RATES = [2.0e14, 4.0e14]
"""Twice and four times the tiny config's own 1e14 K/s: quenches from 2000 to 300 K of
8.5 and 4.25 ps, shorter than the campaign's."""
OUTPUTS = ["results/glass/tg_cooling_rate.csv", "results/glass/figures/tg_cooling_rate.png"]


def config_with_rates(directory: Path, rates: list[float]) -> Path:
    """The tiny config with glass_transition.cooling_rates = ``rates``, written in
    ``directory``."""
    config = yaml.safe_load(TINY_CONFIG.read_text())
    config["glass_transition"] = {"cooling_rates": rates}
    path = directory / "tiny_rates.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="module")
def rate_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("tg_rate")
    result = run_snakemake(work, *OUTPUTS, configfile=config_with_rates(work, EXTRA_RATES))
    assert result.returncode == 0, result.stderr[-3000:]
    return work


def test_the_table_holds_tg_at_every_rate_and_its_extrapolation(rate_run):
    """Three rates per quantity; where a quantity has a Tg at every rate (E(T) at least,
    on this tiny system V(T) often shows no kink), a line with finite numbers and its
    interval at 1e10 K/s."""
    table = pd.read_csv(rate_run / OUTPUTS[0])
    assert set(table.temperature_unit) == {"K"} and set(table.cooling_rate_unit) == {"K/s"}
    means = table[table.kind == "rate_mean"]
    for quantity, group in means.groupby("quantity"):
        assert sorted(group.cooling_rate) == [1e14, 2e14, 4e14], quantity
    complete = [q for q, group in means.groupby("quantity") if group.tg.notna().all()]
    assert complete, means
    lines = table[(table.kind == "extrapolated") & table.quantity.isin(complete)]
    assert len(lines) == len(complete) and (lines.n_rates == 3).all()
    assert (lines.cooling_rate == 1e10).all() and lines.weighted.all()
    assert (lines.tg_ci_low < lines.tg).all() and (lines.tg < lines.tg_ci_high).all()
    assert np.isfinite(lines[["slope_per_decade", "slope_error", "reduced_chi_square"]]).all(
        axis=None)
    assert lines.interval.str.startswith("Student t 95% confidence interval").all()


def test_the_figure_and_its_numbers_are_written(rate_run):
    figures = rate_run / "results/glass/figures"
    for suffix in (".png", ".pdf"):
        assert (figures / f"tg_cooling_rate{suffix}").stat().st_size > 1000
    numbers = pd.read_csv(figures / "tg_cooling_rate.csv")
    assert {"points", "errorbar"} <= set(numbers.kind)
    assert set(np.round(numbers.loc[numbers.kind == "points", "x"], 3)) <= {14.0, 14.301,
                                                                            14.602}


@pytest.mark.parametrize("rate", EXTRA_RATES)
def test_the_extra_quenches_cool_at_their_own_rate(rate_run, rate):
    """The thermostat's target temperature of each extra quench falls at its rate (K/ps
    = 1e-12 K/s), the rate is in its provenance, and its Tg record lies beside it."""
    folder = rate_run / f"results/glass/cooling_rate/q{rate:g}/sample0"
    datasets, attributes = read_hdf5(folder / "quench/quench.h5")
    slope = np.polyfit(datasets["time"][0], datasets["target_temperature"][0], 1)[0]
    assert -slope * 1e12 == pytest.approx(rate, rel=1e-3)
    provenance = json.loads(attributes["provenance"])
    assert provenance["config"]["quench"]["cooling_rate"] == rate
    assert "fits" in json.loads((folder / "glass_transition.json").read_text())


def planned_jobs(work, rates) -> dict[str, int]:
    """{rule: jobs} of a dry run of the glass target with ``rates`` in ``work``."""
    result = run_snakemake(work, "--dry-run", "glass", configfile=config_with_rates(work, rates))
    assert result.returncode == 0, result.stderr[-3000:]
    table = re.search(r"job\s+count\n-+\s+-+\n(.*?)\ntotal", result.stdout, re.S)
    return {line.split()[0]: int(line.split()[1]) for line in table.group(1).splitlines()}


def test_the_glass_target_runs_the_study_only_when_rates_are_given(tmp_path):
    """The campaign's own rate among the rates is not quenched twice; no rates, no study."""
    jobs = planned_jobs(tmp_path, [1.0e14, *EXTRA_RATES])
    assert jobs["quench_at_rate"] == jobs["glass_transition_at_rate"] == 4, jobs
    assert jobs["tg_cooling_rate"] == 1 and jobs["quench"] == 2
    jobs = planned_jobs(tmp_path, [])
    assert not {"quench_at_rate", "glass_transition_at_rate", "tg_cooling_rate"} & set(jobs)


def test_a_quantity_with_tg_at_fewer_than_three_rates_gets_a_note_and_no_numbers(tmp_path):
    """V(T) has a Tg at two rates only: no line, the refusal in its row; E(T) at three."""
    files, rates = [], [1e12, 1e13, 1e14]
    for index, rate in enumerate(rates):
        volume = {"error": "no kink"} if rate == 1e12 else {"tg": 900.0 + index,
                                                            "tg_uncertainty": 20.0}
        fits = {"volume": volume,
                "potential_energy": {"tg": 800.0 + 30.0 * index, "tg_uncertainty": 20.0}}
        files.append(tmp_path / f"{index}.json")
        files[-1].write_text(json.dumps({"temperature_unit": "K", "fits": fits}))
    points = sample_tg(files, rates, [0, 0, 0])
    table = tg_rate_table(points, rate_lines(points, 1e10), METAL)
    lines = table[table.kind == "extrapolated"].set_index("quantity")
    assert lines.loc["volume", "note"] == ("no line: Tg at 2 distinct cooling rate(s): a line "
                                           "in log10(rate) needs at least 3")
    assert lines.loc["volume", ["tg", "tg_ci_low", "slope_per_decade"]].isna().all()
    assert lines.loc["potential_energy", "slope_per_decade"] == pytest.approx(30.0)
    assert lines.loc["potential_energy", "tg"] == pytest.approx(800.0 - 2 * 30.0)
    means = table[(table.kind == "rate_mean") & (table.quantity == "volume")]
    assert means.note.tolist() == ["no sample has a Tg at this rate", "", ""]
