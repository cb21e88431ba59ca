"""DMS summary tables: sample means, the correspondence check and the scaling-law fit."""

import logging

import numpy as np
import pandas as pd
import pytest
from scipy.stats import t as student_t

from mgrelax.dms.summary import (MIN_SAMPLES_FOR_POINT_WEIGHTS, correspondence, dms_spectra,
                                 sample_means, scaling_law)

BY = ["mode", "temperature", "period"]


def test_sample_means_are_standard_errors_of_the_mean_over_samples():
    points = pd.DataFrame({"temperature": [300.0, 300.0], "phase": [1.0, 3.0],
                           "phase_error": [0.1, 0.1], "is_dmin": [0.2, 0.4]})
    row = sample_means(points, ["temperature"], ("phase", "is_dmin")).iloc[0]
    assert row["phase"] == 2.0 and row["n_samples"] == 2
    assert row["phase_error"] == pytest.approx(1.0)   # sd sqrt(2) / sqrt(2): no fit error added
    assert row["is_dmin_error"] == pytest.approx(0.1)
    assert row["phase_error_kind"] == row["is_dmin_error_kind"] == "sem over 2 samples"


def test_one_sample_keeps_its_fit_error_and_says_so():
    points = pd.DataFrame({"temperature": [300.0], "phase": [1.0], "phase_error": [0.1],
                           "is_dmin": [0.2]})
    row = sample_means(points, ["temperature"], ("phase", "is_dmin")).iloc[0]
    assert row["phase_error"] == 0.1 and row["phase_error_kind"] == "fit error, 1 sample"
    assert np.isnan(row["is_dmin_error"]) and row["is_dmin_error_kind"].startswith("none")


def test_sample_mean_errors_have_the_size_of_the_true_standard_error():
    # 300 state points x 4 samples; each value = truth + sample noise (sd 1) + fit noise
    # (sd 1, also reported as the fit error): the mean's true sd is sqrt(2 / 4).
    rng = np.random.default_rng(0)
    n_points, n_samples = 300, 4
    truth = rng.uniform(0.0, 10.0, n_points)
    values = truth + rng.normal(0.0, 1.0, (n_samples, n_points)) \
        + rng.normal(0.0, 1.0, (n_samples, n_points))
    points = pd.DataFrame({"temperature": np.tile(np.arange(n_points), n_samples),
                           "phase": values.ravel(), "phase_error": 1.0})
    means = sample_means(points, ["temperature"], ("phase",))
    # E[error^2] = 2 / 4; adding the fit errors again would make it 3 / 4
    assert np.mean(means["phase_error"] ** 2) == pytest.approx(0.5, rel=0.15)
    t = student_t.ppf(0.975, n_samples - 1)
    covered = np.abs(means["phase"] - truth) < t * means["phase_error"]
    assert np.mean(covered) == pytest.approx(0.95, abs=0.04)   # 3 binomial sd


def spectra_of(shear, bulk, longitudinal):
    """One state point in the three modes: (storage, loss) moduli with 1 % errors."""
    rows = [{"mode": mode, "temperature": 300.0, "period": 10.0,
             "storage_modulus": moduli[0], "storage_modulus_error": 0.01 * moduli[0],
             "loss_modulus": moduli[1], "loss_modulus_error": 0.01 * moduli[1]}
            for mode, moduli in (("shear", shear), ("isostatic", bulk),
                                 ("uniaxial", longitudinal))]
    return pd.DataFrame(rows)


def test_correspondence_of_an_isotropic_viscoelastic_solid_is_exact():
    shear, bulk = (24.0, 2.0), (110.0, 3.0)
    longitudinal = tuple(k + 4 / 3 * g for k, g in zip(bulk, shear))
    row = correspondence(spectra_of(shear, bulk, longitudinal)).iloc[0]
    assert row["storage_modulus_mismatch"] == pytest.approx(0.0, abs=1e-12)
    assert row["loss_modulus_mismatch"] == pytest.approx(0.0, abs=1e-12)
    assert row["storage_modulus_mismatch_error"] > 0


def test_correspondence_reports_a_mismatch_and_skips_incomplete_points():
    row = correspondence(spectra_of((24.0, 2.0), (110.0, 3.0), (150.0, 6.0))).iloc[0]
    assert row["storage_modulus_relative_mismatch"] == pytest.approx((150 - 142) / 150)
    only_shear = spectra_of((24.0, 2.0), (110.0, 3.0), (150.0, 6.0)).iloc[:1]
    assert correspondence(only_shear).empty


def shear_spectra(x, y, relative_error=0.1, n_samples=2):
    """Shear state points (sample means) at 300 K with periods 0, 1, ... and errors."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    return pd.DataFrame({"mode": "shear", "temperature": 300.0,
                         "period": np.arange(x.size, dtype=float), "n_samples": n_samples,
                         "is_dmin_over_r0": x, "is_dmin_over_r0_error": relative_error * x, "phase": y,
                         "phase_error": relative_error * y})


def test_scaling_law_recovers_the_exponent_of_a_power_law():
    x = np.geomspace(0.02, 0.3, 8)
    law = scaling_law(shear_spectra(x, 4.0 * x**2.8))
    assert law["exponent"] == pytest.approx(2.8) and law["prefactor"] == pytest.approx(4.0)
    assert law["n_points"] == 8 and law["n_excluded"] == 0 and law["excluded"] == []
    assert "pooled" in law["errors"]


def test_scaling_law_lists_every_excluded_point_with_its_reason(caplog):
    x = np.geomspace(0.02, 0.3, 7)
    y = 4.0 * x**2.8
    x[1], y[3], y[5] = 0.0, -0.01, np.nan
    spectra = pd.concat([shear_spectra(x, y), shear_spectra(x, y).assign(mode="isostatic")])
    with caplog.at_level(logging.WARNING):
        law = scaling_law(spectra)
    assert law["n_points"] == 4 and law["n_excluded"] == 3
    assert law["exponent"] == pytest.approx(2.8)
    reasons = {point["period"]: point["reason"] for point in law["excluded"]}
    assert reasons == {1.0: "IS D_min / r0 = 0 <= 0 has no logarithm",
                       3.0: "delta (rad) = -0.01 <= 0 has no logarithm",
                       5.0: "delta (rad) is nan"}
    assert law["excluded"][0]["temperature"] == 300.0
    assert "3 shear state point(s) excluded" in caplog.text and "t_w = 5: delta" in caplog.text


def test_scaling_law_with_too_few_points_says_so():
    law = scaling_law(shear_spectra([0.1, 0.2], [0.1, 0.3]))
    assert "at least 3 points, got 2" in law["error"] and law["n_points"] == 2


def test_scaling_law_of_one_sample_takes_the_displacement_as_exact():
    x = np.geomspace(0.02, 0.3, 5)
    spectra = shear_spectra(x, 4.0 * x**2.8, n_samples=1).assign(is_dmin_over_r0_error=np.nan)
    law = scaling_law(spectra)
    assert "exact (1 sample" in law["errors"] and law["exponent"] == pytest.approx(2.8)


PREFACTOR, EXPONENT = 4.0, 2.8


def simulated_runs(n_points, n_samples, log_sd, rng):
    """Per-sample runs on the law delta = A (IS D_min / r0)^b: each sample's IS D_min / r0
    and delta scatter log-normally (sd log_sd) about the state point's true values."""
    x_true = np.geomspace(0.02, 0.2, n_points)
    x = x_true * np.exp(rng.normal(0.0, log_sd, (n_samples, n_points)))
    y = PREFACTOR * x_true**EXPONENT * np.exp(rng.normal(0.0, log_sd, (n_samples, n_points)))
    return pd.DataFrame({"sample": np.repeat(np.arange(n_samples), n_points), "mode": "shear",
                         "temperature": 300.0, "period": np.tile(np.arange(n_points), n_samples),
                         "phase": y.ravel(), "phase_error": 0.01 * y.ravel(),
                         "is_dmin_over_r0": x.ravel()})


@pytest.mark.parametrize("n_samples", [2, MIN_SAMPLES_FOR_POINT_WEIGHTS])
def test_scaling_law_exponent_interval_covers_the_truth(n_samples):
    # The whole chain: per-sample runs with noise in both variables -> sample means and
    # their errors -> errors-in-variables fit; 12 shear points as in config/config.yaml
    # (3 temperatures x 4 periods). Measured over 400 fits: the nominal 95 % interval
    # covers b in 94.25 % with 2 samples (errors pooled), 93.75 % with 10 (each point's).
    rng = np.random.default_rng(1)
    laws = [scaling_law(sample_means(simulated_runs(12, n_samples, 0.2, rng), BY,
                                     ("phase", "is_dmin_over_r0"))) for _ in range(400)]
    covered = [law["exponent_interval"][0] < EXPONENT < law["exponent_interval"][1]
               for law in laws]
    assert ("pooled" in laws[0]["errors"]) == (n_samples < MIN_SAMPLES_FOR_POINT_WEIGHTS)
    assert np.mean(covered) >= 0.90
    assert np.mean([law["exponent"] for law in laws]) == pytest.approx(EXPONENT, abs=0.03)


def test_scaling_law_leaves_out_the_periods_below_min_period_and_counts_them():
    # Short periods where vibrations add loss: delta far above the law at the two shortest.
    x = np.geomspace(0.02, 0.3, 7)
    y = 4.0 * x**2.8
    y[:2] = 0.5
    spectra = shear_spectra(x, y)
    law = scaling_law(spectra, min_period=2.0)
    assert law["exponent"] == pytest.approx(2.8) and law["min_period"] == 2.0
    assert law["n_points"] == 5 and law["n_excluded"] == 2
    assert [point["period"] for point in law["excluded"]] == [0.0, 1.0]
    assert law["excluded"][0]["reason"] == "period below dms.scaling_law.min_period = 2"
    assert scaling_law(spectra)["exponent"] < 2.0


def heteroscedastic_runs(rng, n_points=12, n_samples=2, noisy=3):
    """Runs on delta = 4 x^2 whose last ``noisy`` points scatter by 60 % in delta (a
    liquid's stress response near the noise) and the others by 10 %, each run's fit
    error saying so."""
    x_true = np.geomspace(0.02, 0.2, n_points)
    relative_sd = np.where(np.arange(n_points) >= n_points - noisy, 0.6, 0.1)
    y_true = 4.0 * x_true**2
    x = x_true * np.exp(rng.normal(0.0, 0.1, (n_samples, n_points)))
    y = y_true * (1 + relative_sd * rng.normal(0.0, 1.0, (n_samples, n_points)))
    return pd.DataFrame({"sample": np.repeat(np.arange(n_samples), n_points), "mode": "shear",
                         "temperature": 300.0, "period": np.tile(np.arange(n_points) + 1.0,
                                                                 n_samples),
                         "phase": y.ravel(), "phase_error": np.tile(relative_sd * y_true,
                                                                    n_samples),
                         "is_dmin_over_r0": x.ravel()})


def test_fit_errors_keep_noisy_points_from_pulling_the_exponent():
    # Measured over 400 such studies (2 samples, 12 points, 3 of them noisy): with delta's
    # error at least its fit error, rms error of b 0.112 and 92 % coverage of the 95 %
    # interval; with the pooled errors alone 0.148 and 90 %.
    rng = np.random.default_rng(3)
    means = [sample_means(heteroscedastic_runs(rng), BY, ("phase", "is_dmin_over_r0"))
             for _ in range(200)]
    with_floor = [scaling_law(table) for table in means]
    pooled_only = [scaling_law(table.drop(columns="phase_fit_error")) for table in means]
    assert "at least the fit error" in with_floor[0]["errors"]

    def rms_error(laws):
        return np.sqrt(np.mean([(law["exponent"] - 2.0) ** 2 for law in laws]))

    assert rms_error(with_floor) < 0.9 * rms_error(pooled_only)
    assert np.mean([law["exponent_interval"][0] < 2.0 < law["exponent_interval"][1]
                    for law in with_floor]) >= 0.88


def test_sample_means_give_the_fit_error_of_the_mean():
    runs = pd.DataFrame({"mode": "shear", "temperature": 300.0, "period": 1.0,
                         "phase": [0.1, 0.3], "phase_error": [0.03, 0.04]})
    table = sample_means(runs, BY, ("phase",))
    assert table["phase_fit_error"].item() == pytest.approx(0.025)  # sqrt(0.03^2+0.04^2)/2
    assert table["phase_error"].item() == pytest.approx(0.1)  # sem of 0.1, 0.3


def test_spectra_count_the_samples_whose_is_dmin_did_not_converge(caplog):
    runs = simulated_runs(4, 2, 0.2, np.random.default_rng(2)).assign(
        amplitude=0.012, is_dmin=1.0, r0=1.0, d2min_mean=1.0, storage_modulus=1.0,
        loss_modulus=1.0, loss_factor=1.0, is_dmin_converged=True)
    runs.loc[(runs["sample"] == 1) & (runs["period"] == 2), "is_dmin_converged"] = False
    with caplog.at_level(logging.WARNING):
        spectra = dms_spectra(runs)
    assert spectra["is_dmin_unconverged_samples"].tolist() == [0, 0, 1, 0]
    assert "did not converge for 1 of 8 runs" in caplog.text and "period 2" in caplog.text
    assert scaling_law(spectra)["n_points_with_unconverged_is_dmin"] == 1


def test_the_scaling_figure_draws_the_periods_left_out_open():
    from mgrelax.dms.figures import scaling_law_figure
    from mgrelax.figures import plt
    from mgrelax.potentials import load_catalogue

    x = np.geomspace(0.02, 0.3, 6)
    spectra = shear_spectra(x, 4.0 * x**2.8)
    law = scaling_law(spectra, min_period=2.0)
    figure = scaling_law_figure(spectra, law, load_catalogue()["KobAndersen_A80B20"].units)
    points = [line for line in figure.axes[0].lines if line.get_marker() == "o"
              and len(line.get_xdata())]
    open_x = [x for line in points if line.get_markerfacecolor() == "white"
              for x in line.get_xdata()]
    filled_x = [x for line in points if line.get_markerfacecolor() != "white"
                for x in line.get_xdata()]
    assert sorted(open_x) == pytest.approx(x[:2]) and sorted(filled_x) == pytest.approx(x[2:])
    labels = figure.axes[0].get_legend_handles_labels()[1]
    assert "open: t_w < 2 tau, not fitted" in labels
    plt.close(figure)
