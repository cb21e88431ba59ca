"""Glass-transition fits (window crossing and hinge breakpoint) on synthetic
piecewise-linear quench data with known Tg; Tg over samples and the anneal check of
the glass summary; the line of Tg against log10(cooling rate) on studies with a known line."""

import json
import logging

import numpy as np
import pandas as pd
import pytest

from scipy.signal import lfilter

from analysis.glass_transition import (GlassTransition, fit_glass_transition,
                                       fit_hinge_transition)
from analysis.tg_rate import RateMean, fit_rate_line, mean_tg_per_rate
from mgrelax.glass.summary import combined_tg, glass_transition_table

TG = 700.0
SLOPE_GLASS = 1.0e-3   # e.g. volume per atom per K
SLOPE_LIQUID = 2.5e-3
V_AT_TG = 17.0


def quench(noise=0.0, seed=0, correlation=0.0, step=5.0):
    """Cooling record 1100 K -> 300 K in ``step`` K steps with a kink at TG, plus AR(1)
    noise of standard deviation ``noise`` and lag-1 correlation ``correlation`` (the
    thermal fluctuations of successive records)."""
    temperature = np.arange(1100.0, 299.0, -step)
    slope = np.where(temperature < TG, SLOPE_GLASS, SLOPE_LIQUID)
    volume = V_AT_TG + slope * (temperature - TG)
    shocks = np.random.default_rng(seed).normal(0.0, noise * np.sqrt(1 - correlation**2),
                                                temperature.size)
    return temperature, volume + lfilter([1.0], [1.0, -correlation], shocks)


def test_noiseless_kink_is_recovered_exactly():
    result = fit_glass_transition(*quench())
    assert isinstance(result, GlassTransition)
    assert result.tg == pytest.approx(TG, abs=1e-6)
    assert result.tg_uncertainty < 1e-6 and result.tg_statistical_error < 1e-6
    assert result.slope_glass == pytest.approx(SLOPE_GLASS)
    assert result.slope_liquid == pytest.approx(SLOPE_LIQUID)
    assert result.intercept_glass == pytest.approx(V_AT_TG - SLOPE_GLASS * TG)
    assert result.intercept_liquid == pytest.approx(V_AT_TG - SLOPE_LIQUID * TG)
    assert result.n_windows == 25


def test_noisy_kink_is_recovered_within_a_few_kelvin():
    result = fit_glass_transition(*quench(noise=0.005))
    assert result.tg == pytest.approx(TG, abs=5.0)
    assert 0.0 < result.tg_uncertainty < 10.0
    assert abs(result.tg - TG) < 4 * result.tg_uncertainty + 2.0


def test_input_order_does_not_matter():
    temperature, volume = quench(noise=0.005)
    cooling = fit_glass_transition(temperature, volume)
    heating = fit_glass_transition(temperature[::-1], volume[::-1])
    shuffled = np.random.default_rng(1).permutation(temperature.size)
    assert heating == cooling
    assert fit_glass_transition(temperature[shuffled], volume[shuffled]) == cooling


def test_explicit_windows_are_used():
    result = fit_glass_transition(*quench(), glass_window=(300.0, 550.0), liquid_window=(850.0, 1100.0),
                                  n_variations=3)
    assert result.tg == pytest.approx(TG)
    assert result.n_windows == 9


def test_straight_line_has_no_kink():
    temperature, _ = quench()
    volume = V_AT_TG + SLOPE_GLASS * temperature
    with pytest.raises(ValueError, match="no kink"):
        fit_glass_transition(temperature, volume)
    noisy = volume + np.random.default_rng(2).normal(0.0, 0.01, temperature.size)
    with pytest.raises(ValueError, match="no kink"):
        fit_glass_transition(temperature, noisy)


def test_crossing_outside_the_range_raises():
    temperature, _ = quench()
    volume = np.where(temperature < TG, 1.0 * temperature, 1.1 * temperature + 500.0)
    with pytest.raises(ValueError, match="outside the data range"):
        fit_glass_transition(temperature, volume)


def test_too_few_points_raise():
    with pytest.raises(ValueError, match="at least"):
        fit_glass_transition([300.0, 500.0, 700.0, 900.0], [1.0, 2.0, 3.0, 5.0])
    temperature, volume = quench()
    with pytest.raises(ValueError, match="points in the fit window"):
        fit_glass_transition(temperature, volume, glass_window=(300.0, 306.0))


def test_noiseless_hinge_breakpoint_is_the_kink():
    result = fit_hinge_transition(*quench(), (300.0, 1100.0), (450.0, 950.0))
    assert result.tg == pytest.approx(TG, abs=0.01) and result.tg_error < 0.01
    assert result.slope_glass == pytest.approx(SLOPE_GLASS)
    assert result.slope_liquid == pytest.approx(SLOPE_LIQUID)
    with pytest.raises(ValueError, match="edge"):
        fit_hinge_transition(*quench(), (300.0, 1100.0), (750.0, 950.0))


@pytest.mark.parametrize("correlation", [0.0, 0.7])
def test_bootstrap_errors_have_the_size_of_the_true_scatter(correlation):
    """80 quenches with AR(1) noise of known correlation: each estimator's reported
    statistical error (rms over the quenches) matches the sd of its Tg over them within
    25 % (the sd of 80 draws is itself known to about 8 %), and Tg is unbiased."""
    estimates = {"windows": [], "hinge": []}
    for seed in range(80):
        record = quench(noise=0.004, seed=seed, correlation=correlation, step=2.5)
        windows = fit_glass_transition(*record, (300.0, 500.0), (850.0, 1100.0))
        hinge = fit_hinge_transition(*record, (300.0, 1100.0), (500.0, 850.0))
        estimates["windows"].append((windows.tg, windows.tg_statistical_error))
        estimates["hinge"].append((hinge.tg, hinge.tg_error))
    for name, pairs in estimates.items():
        tg, error = np.array(pairs).T
        scatter = np.std(tg, ddof=1)
        assert np.sqrt(np.mean(error**2)) == pytest.approx(scatter, rel=0.25), name
        assert abs(tg.mean() - TG) < 3 * scatter / np.sqrt(tg.size), name


def test_mean_tg_combines_the_sample_spread_with_the_fit_windows():
    # Tg 740 and 760 K: sd sqrt(200) K, standard error of the mean 10 K; fit-window
    # sds 24 and 32 K: rms sqrt(800) K; combined sqrt(100 + 800) = 30 K. The per-sample
    # bootstrap errors (already in the spread over samples) do not enter twice.
    mean = combined_tg([740.0, 760.0], [24.0, 32.0], [50.0, 50.0])
    assert mean["tg"] == 750.0 and mean["n_samples"] == 2
    assert mean["tg_sample_std"] == pytest.approx(np.sqrt(200.0))
    assert mean["tg_window_sd"] == pytest.approx(np.sqrt(800.0))
    assert mean["tg_uncertainty"] == pytest.approx(30.0)
    assert mean["tg_uncertainty_kind"].startswith("sqrt((sd over 2 samples / sqrt(2))^2")
    single = combined_tg([740.0], [24.0], [7.0])
    assert single["tg_uncertainty"] == 25.0 and "one sample" in single["tg_uncertainty_kind"]


def test_sample_spread_enters_as_the_standard_error_of_the_mean():
    # Per-sample Tg scattering with sd 30 K over 5 samples, no window uncertainty: the
    # uncertainty squared averages 30^2 / 5 (within 3 standard errors of 400 draws).
    rng = np.random.default_rng(3)
    squared = [combined_tg(rng.normal(TG, 30.0, 5), [0.0] * 5, [9.0] * 5)["tg_uncertainty"] ** 2
               for _ in range(400)]
    assert np.mean(squared) == pytest.approx(30.0**2 / 5, rel=3 * np.sqrt(2 / 4) / 20)


def fit(tg, window_sd, statistical_error):
    """A sample's fit as glass_transition_record writes it (Tg in K)."""
    return {"tg": tg, "tg_window_sd": window_sd, "tg_statistical_error": statistical_error,
            "tg_uncertainty": float(np.hypot(window_sd, statistical_error)), "n_windows": 25,
            "hinge": {"tg": tg + 40.0, "tg_error": 10.0}}


def transition_record(path, fits):
    path.write_text(json.dumps({"temperature_unit": "K", "fits": fits}))
    return path


def test_anneal_at_or_above_a_samples_tg_is_flagged(tmp_path, caplog):
    files = [transition_record(tmp_path / "0.json", {
                 "potential_energy": fit(690.0, 12.0, 16.0),
                 "volume": fit(760.0, 15.0, 20.0)}),
             transition_record(tmp_path / "1.json", {
                 "potential_energy": fit(706.0, 18.0, 24.0),
                 "volume": {"error": "no kink"}})]
    with caplog.at_level(logging.WARNING):
        table = glass_transition_table(files, anneal_temperature=700.0)
    rows = table.set_index(["sample", "quantity"])
    assert rows.loc[(0, "potential_energy"), "note"] == (
        "anneal.temperature = 700 K is not below Tg(E) = 690 +- 20 K of sample 0: the anneal "
        "does not age the glass below its glass transition")
    assert rows.loc[(0, "potential_energy"), "anneal_below_tg"] == False  # noqa: E712
    assert rows.loc[(1, "potential_energy"), "anneal_below_tg"] == True  # noqa: E712
    assert rows.loc[(0, "volume"), "note"] == ""
    assert pd.isna(rows.loc[(1, "volume"), "anneal_below_tg"])
    # the mean Tg(E), 698 K, is below the anneal too; the mean Tg(V) (sample 0 alone) is not
    assert rows.loc[("mean", "potential_energy"), "tg"] == 698.0
    assert "Tg(E) = 698 +- " in rows.loc[("mean", "potential_energy"), "note"]
    assert rows.loc[("mean", "volume"), "anneal_below_tg"] == True  # noqa: E712
    assert rows.loc[(0, "volume"), "tg_uncertainty_kind"].startswith(
        "sqrt(sd over 25 fit-window choices^2 + AR(1)-bootstrap error")
    assert rows.loc[(0, "volume"), "tg_hinge"] == 800.0
    assert pd.isna(rows.loc[(1, "volume"), "tg_hinge"])
    assert caplog.text.count("is not below Tg") == 2


TRUE_INTERCEPT, TRUE_SLOPE = 600.0, 30.0   # Tg = 600 K + 30 K per decade of cooling rate
STUDY_RATES = np.repeat([1e12, 1e13, 1e14], 2)   # 3 rates x 2 samples (K/s)
STUDY_SD = np.tile([10.0, 20.0], 3)              # noise sd of the two samples (K)


def rate_study(rng):
    """Tg of each sample at each rate: the true line plus Gaussian noise of sd STUDY_SD."""
    return TRUE_INTERCEPT + TRUE_SLOPE * np.log10(STUDY_RATES) + rng.normal(0.0, STUDY_SD)


def test_the_extrapolated_tg_interval_covers_the_true_line_95_percent_of_the_time():
    """1000 simulated studies, each point weighted by its known sd: the Student t 95 %
    interval of Tg at 1e10 K/s covers the true 900 K in 93-97 % of them (the coverage's
    binomial sd is 0.7 %), the slope is unbiased within 3 Monte Carlo standard errors, its
    reported standard error has the size of its scatter (within 10 %; the rms of 1000
    estimates is known to about 2 %), and the reduced chi-square averages 1 (its mean over
    1000 studies with 4 degrees of freedom has sd 0.02)."""
    rng = np.random.default_rng(2024)
    lines = [fit_rate_line(STUDY_RATES, rate_study(rng), STUDY_SD, reference_rate=1e10)
             for _ in range(1000)]
    truth = TRUE_INTERCEPT + TRUE_SLOPE * 10.0
    covered = np.mean([line.tg_reference_low <= truth <= line.tg_reference_high
                       for line in lines])
    assert 0.93 <= covered <= 0.97, covered
    slopes = np.array([line.slope for line in lines])
    assert abs(slopes.mean() - TRUE_SLOPE) < 3 * slopes.std(ddof=1) / np.sqrt(slopes.size)
    slope_errors = np.array([line.slope_error for line in lines])
    assert np.sqrt(np.mean(slope_errors**2)) == pytest.approx(slopes.std(ddof=1), rel=0.1)
    assert np.mean([line.reduced_chi_square for line in lines]) == pytest.approx(1.0, abs=0.1)
    assert all(line.weighted and line.n_points == 6 and line.n_rates == 3
               and line.degrees_of_freedom == 4 for line in lines)


def test_unweighted_rate_line_is_ordinary_least_squares():
    """Without uncertainties (or with one that is not positive) every point weighs the
    same: slope and its standard error are scipy's linregress in log10(rate), and the
    line at the reference rate is its intercept there, with a t(n - 2) interval."""
    from scipy.stats import linregress, t

    tg = rate_study(np.random.default_rng(5))
    reference = linregress(np.log10(STUDY_RATES) - 10.0, tg)
    for errors in (None, np.where(STUDY_SD > 15.0, 0.0, STUDY_SD)):
        line = fit_rate_line(STUDY_RATES, tg, errors, reference_rate=1e10)
        assert not line.weighted and np.isnan(line.reduced_chi_square)
        assert line.slope == pytest.approx(reference.slope)
        assert line.slope_error == pytest.approx(reference.stderr)
        assert line.tg_reference == pytest.approx(reference.intercept)
        assert line.tg_reference_error == pytest.approx(reference.intercept_stderr)
        assert line.tg_reference_high - line.tg_reference == pytest.approx(
            t.ppf(0.975, 4) * reference.intercept_stderr)
        tg_at, half_width = line.tg_at(np.array([1e10, 1e13]))
        assert tg_at == pytest.approx([reference.intercept, reference.intercept
                                       + 3.0 * reference.slope])
        assert half_width[0] == pytest.approx(line.tg_reference_high - line.tg_reference)


def test_a_line_through_fewer_than_three_rates_is_refused():
    rates = np.repeat([1e13, 1e14], 3)
    with pytest.raises(ValueError, match="2 distinct cooling rate.*at least 3"):
        fit_rate_line(rates, 700.0 + np.arange(6.0), np.full(6, 5.0))


def test_mean_tg_per_rate_has_the_standard_error_over_samples():
    means = mean_tg_per_rate([1e14, 1e13, 1e13, 1e13], [800.0, 740.0, 760.0, 750.0])
    assert [mean.cooling_rate for mean in means] == [1e13, 1e14]
    assert means[0] == RateMean(1e13, 750.0, pytest.approx(10.0 / np.sqrt(3)), 3)
    assert means[1].tg == 800.0 and np.isnan(means[1].tg_error) and means[1].n_samples == 1
