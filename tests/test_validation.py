"""The validation table: its verdicts are calibrated (a simulation with a known truth),
each row reads its number from the summary it comes from, and rows apply only to the
system the paper is about."""

import math

import numpy as np
import pandas as pd
import pytest

from mgrelax.validation import (PUBLISHED, Z_95, activation_rows, applies, cluster_size_row,
                                comparison, correspondence_row, effective_barrier_row,
                                relaxation_scale, statistical_reach, tg_row, verdict)

SCALE = "test scale"


def test_a_number_within_the_combined_interval_agrees_and_beyond_it_differs():
    """Yang et al.'s Delta Q = 1.36 +- 0.03 eV. Ours 1.30 (1.20-1.40): the combined
    half-width is sqrt(0.10^2 + (1.96 x 0.03)^2) = 0.116 eV > 0.06 eV, but ours alone
    (0.1 eV) is wider than the paper's 0.0588 eV: not resolved; 1.33 (1.29-1.37)
    agrees. Ours 1.00 (0.95-1.05): sqrt(0.05^2 + 0.0588^2) = 0.077 eV < 0.36 eV."""
    near = comparison("yang_activation_energy", 1.30, 0.05, (1.20, 1.40), "t", SCALE)
    assert near["verdict"] == "not resolved"   # ours alone 0.1 eV > 1.96 x 0.03 eV
    assert near["z_score"] == pytest.approx(-0.06 / math.hypot(0.05, 0.03))
    assert near["ratio"] == pytest.approx(1.30 / 1.36)
    assert "0.116" in near["reason"] and "resolution 0.0588" in near["reason"]
    resolved = comparison("yang_activation_energy", 1.33, 0.02, (1.29, 1.37), "t", SCALE)
    assert resolved["verdict"] == "agrees"
    far = comparison("yang_activation_energy", 1.00, 0.025, (0.95, 1.05), "t", SCALE,
                     differs_because="a reason")
    assert far["verdict"] == "differs" and "0.0772" in far["reason"]
    assert far["reason"].endswith("a reason")


def test_the_side_of_an_asymmetric_interval_towards_the_paper_decides():
    """Ours 1.0 with (0.5, 1.4): 1.35 lies 0.35 above, within the upper half-width 0.4;
    with (0.9, 1.2) it lies beyond the upper half-width 0.2, although 1.0 - 0.9 = 0.1
    is the narrow side."""
    assert comparison("yang_art_mean", 1.0, None, (0.5, 1.4), "t", SCALE)["verdict"] == \
        "not resolved"   # within, but 0.4 eV is wider than a tenth of 1.35 eV
    assert comparison("yang_art_mean", 1.0, None, (0.9, 1.2), "t", SCALE)["verdict"] == "differs"


def test_the_verdict_keeps_its_95_percent_level_when_both_sides_measure_the_same_truth():
    """A simulation with a known truth: the paper's value N(truth, s_p) with its s_p, ours
    N(truth, s) with the normal 95 % interval. Both measure the same quantity, so
    'agrees' must come out in 95 % of trials (binomial sd 0.3 % at 5000 trials)."""
    rng = np.random.default_rng(21)
    truth, paper_error, own_error, trials = 1.36, 0.03, 0.05, 5000
    verdicts = []
    for _ in range(trials):
        ours = rng.normal(truth, own_error)
        row = {"value": ours, "error": own_error, "low": ours - Z_95 * own_error,
               "high": ours + Z_95 * own_error, "unit": "eV",
               "published_value": rng.normal(truth, paper_error),
               "published_error": paper_error, "resolution": math.inf}
        verdicts.append(verdict(row, "", "", "")["verdict"])
    assert set(verdicts) == {"agrees", "differs"}
    assert verdicts.count("agrees") / trials == pytest.approx(0.95, abs=0.01)


def test_no_number_is_out_of_reach_with_its_reason_and_no_source_says_so():
    row = comparison("yang_art_mean", None, None, (None, None), "", SCALE,
                     missing="no ART event at the spectrum level")
    assert (row["verdict"], row["reason"]) == ("out of reach", "no ART event at the spectrum level")
    assert math.isnan(row["z_score"])
    shear = comparison("shear_modulus_cu50zr50", 25.0, 1.0, (23.0, 27.0), "normal", SCALE)
    assert shear["verdict"] == "no published value"
    assert "Prog. Mater. Sci." in shear["reason"]


def test_rows_apply_to_the_system_of_their_paper():
    cu50 = {"model": "CuZr_Mendelev2007", "composition": {"Cu": 0.5, "Zr": 0.5}}
    cu64 = {"model": "CuZr_Mendelev2009", "composition": {"Cu": 0.64, "Zr": 0.36}}
    ka = {"model": "KobAndersen_A80B20", "composition": {"A": 0.8, "B": 0.2}}
    assert applies("yang_activation_energy", cu50) and not applies("yang_activation_energy", cu64)
    assert applies("yu_exponent_kob_andersen", ka) and not applies("yu_exponent_kob_andersen", cu50)
    assert all(applies("lyu_dynamic_correspondence", c) for c in (cu50, cu64, ka))
    for entry in PUBLISHED.values():
        assert {"quantity", "unit", "value", "error", "source", "models", "paper_config",
                "paper_stages"} <= set(entry)


def test_activation_rows_read_the_fit_and_say_why_one_is_missing():
    activation = {"reductions": {
        "effective": {"activation_energy": 1.2, "activation_energy_error": 0.1,
                      "activation_energy_interval": [0.9, 1.5], "activation_entropy": 12.0,
                      "activation_entropy_error": 2.0, "activation_entropy_interval": [6, 18],
                      "n_points": 4},
        "parallel": {"error": "2 temperature(s) with a parallel barrier: needs at least 3"},
        "sequential": {"activation_energy": 2.0, "activation_energy_error": 0.4,
                       "activation_energy_interval": [0.8, 3.2], "activation_entropy": 40.0,
                       "activation_entropy_error": 4.0, "activation_entropy_interval": [28, 52],
                       "n_points": 4}}}
    rows = {row["key"]: row for row in activation_rows(activation, SCALE)}
    assert rows["yang_activation_energy"]["value"] == 1.2
    # 1.36 within 0.9-1.5 and 14.8 within 6-18, but both intervals are wide
    assert rows["yang_activation_energy"]["verdict"] == "not resolved"
    assert rows["yang_activation_entropy_effective"]["verdict"] == "not resolved"
    assert rows["yang_activation_entropy_sequential"]["verdict"] == "differs"  # 23.9 < 28
    parallel = rows["yang_activation_entropy_parallel"]
    assert parallel["verdict"] == "out of reach" and "needs at least 3" in parallel["reason"]


def test_the_cluster_size_row_is_the_fall_beyond_four_angstrom():
    """Means 0.9 (first peak), 1.0 (4.0 A) and 0.6 eV (5.0 A) with errors 0.05, 0.06,
    0.08: the fall beyond 4.0 A is 0.4 +- 0.1 eV, resolved from zero."""
    table = pd.DataFrame({"temperature": 600.0, "cutoff": ["first_peak", "4", "5"],
                          "cutoff_radius": [2.8, 4.0, 5.0], "barrier_mean": [0.9, 1.0, 0.6],
                          "barrier_sem": [0.05, 0.06, 0.08], "n_crossed": [8, 7, 6]})
    row = cluster_size_row(table, SCALE)
    assert row["value"] == pytest.approx(0.4) and row["error"] == pytest.approx(0.1)
    assert row["verdict"] == "agrees"
    table["barrier_mean"] = [0.9, 1.0, 0.95]
    assert cluster_size_row(table, SCALE)["verdict"] == "not resolved"
    table["barrier_mean"] = [0.9, 1.0, 1.3]
    assert cluster_size_row(table, SCALE)["verdict"] == "differs"
    assert cluster_size_row(table.iloc[:2], SCALE)["verdict"] == "out of reach"


def test_the_correspondence_row_takes_the_mismatch_and_its_error():
    """M' = 150 GPa, mismatch 0.5 +- 2.0 GPa: (0.33 +- 1.33) % of M', resolved within 5 %;
    +- 5 GPa: +-6.5 % at 95 %, not resolved."""
    table = pd.DataFrame({"temperature": [300.0], "period": [2.0],
                          "storage_modulus_longitudinal": [150.0], "stress_unit": "GPa",
                          "temperature_unit": "K",
                          "storage_modulus_mismatch": [0.5],
                          "storage_modulus_mismatch_error": [2.0]})
    row = correspondence_row(table, SCALE)
    assert row["value"] == pytest.approx(0.5 / 150) and row["error"] == pytest.approx(2 / 150)
    assert row["verdict"] == "agrees" and row["low"] == pytest.approx((0.5 - Z_95 * 2) / 150)
    assert row["our_scale"].endswith("300 K, t_w = 2, M' = 150 GPa")
    table["storage_modulus_mismatch_error"] = 5.0
    assert correspondence_row(table, SCALE)["verdict"] == "not resolved"
    assert correspondence_row(table.iloc[:0], SCALE)["verdict"] == "out of reach"


def test_the_effective_barrier_row_compares_inside_the_papers_temperatures():
    """Yang et al.'s line at 400 K is 1.36 eV - 400 K x 14.8 k_B = 0.850 eV (+- 0.03).
    Ours 0.86 (0.82-0.90) agrees; 0.60 (0.55-0.65) differs; a campaign without 400 K has
    no number."""
    boltzmann = 8.617333e-5   # eV/K
    paper = PUBLISHED["yang_effective_barrier_400K"]
    assert paper["value"] == pytest.approx(
        PUBLISHED["yang_activation_energy"]["value"]
        - 400 * PUBLISHED["yang_activation_entropy_effective"]["value"] * boltzmann, abs=5e-4)
    spectra = pd.DataFrame({"temperature": [400.0, 500.0], "n_runs": [8, 8],
                            "barrier_eff": [0.86, 1.0], "barrier_eff_error": [0.02, 0.1],
                            "barrier_eff_low": [0.82, 0.8], "barrier_eff_high": [0.90, 1.2],
                            "interval_method": "bootstrap"})
    row = effective_barrier_row(spectra, SCALE)
    assert row["verdict"] == "agrees" and row["value"] == 0.86 and "8 runs" in row["interval"]
    spectra.loc[0, ["barrier_eff", "barrier_eff_low", "barrier_eff_high"]] = [0.60, 0.55, 0.65]
    assert effective_barrier_row(spectra, SCALE)["verdict"] == "differs"
    assert effective_barrier_row(spectra.iloc[1:], SCALE)["verdict"] == "out of reach"


def test_the_tg_row_is_the_extrapolated_line_beside_the_experiment():
    """tg_cooling_rate.csv's extrapolated row: 720 K (700-740 K) at 1e10 K/s against the
    experiment's 670 K differs, with the rate gap as the reason; a line refused for too
    few rates is out of reach with its note."""
    table = pd.DataFrame({
        "kind": ["sample", "extrapolated", "extrapolated"],
        "quantity": ["volume", "volume", "potential_energy"],
        "cooling_rate": [2e13, 1e10, np.nan], "tg": [800.0, 720.0, np.nan],
        "tg_error": [20.0, 9.0, np.nan], "tg_ci_low": [np.nan, 700.0, np.nan],
        "tg_ci_high": [np.nan, 740.0, np.nan], "n_points": [1, 6, 2], "n_rates": [1, 3, 1],
        "interval": "Student t 95 % interval of the line",
        "note": ["", "", "the line needs 3 rates, got 1"]})
    volume = tg_row(table, "volume", SCALE)
    assert (volume["value"], volume["low"], volume["high"]) == (720.0, 700.0, 740.0)
    assert volume["verdict"] == "differs" and "eight decades" in volume["reason"]
    energy = tg_row(table, "potential_energy", SCALE)
    assert energy["verdict"] == "out of reach" and energy["reason"] == "the line needs 3 rates, got 1"


def test_the_samples_needed_follow_the_square_of_the_interval_ratio():
    """Ours 1.2 (1.0-1.4) from 8 runs per temperature against 1.36 +- 0.03 eV: the
    half-width 0.2 must shrink to 1.96 x 0.03 = 0.0588 eV, (0.2 / 0.0588)^2 = 11.57
    times the runs: 93, at 10 core-s each 0.258 core-h. Without a paper error the target
    is a tenth of the paper's value."""
    row = comparison("yang_activation_energy", 1.2, 0.1, (1.0, 1.4), "t", SCALE)
    text = statistical_reach(row, (8, 10.0, "runs per temperature"))
    assert text.startswith("93 runs per temperature (now 8)") and "0.258 core-h" in text
    art = comparison("yang_art_mean", 1.2, 0.1, (1.0, 1.4), "t", SCALE)
    assert statistical_reach(art, (20, 1.0, "events")).startswith(
        f"{math.ceil(20 * (0.2 / 0.135) ** 2)} events")
    assert statistical_reach(row, None) == ""


def test_the_relaxation_scale_says_where_f_s_did_not_decay(tmp_path):
    """alpha_relaxation.csv without a tau column (no F_s decayed, the tiny campaign):
    every temperature is 'beyond the run'; with one, the mean over samples."""
    path = tmp_path / "alpha.csv"
    pd.DataFrame({"sample": [0, 1], "temperature": [0.5, 0.5], "time_unit": "tau",
                  "q1": 7.2}).to_csv(path, index=False)
    config = {"dms": {"periods": [1.0, 100.0], "scaling_law": {"min_period": 0.0}}}
    assert relaxation_scale(SCALE, config, path).endswith(
        "periods 1-100, tau_alpha by temperature 0.5: beyond the run (tau)")
    config["dms"]["scaling_law"]["min_period"] = 10.0
    assert "periods 1-100 (fitted from 10), tau_alpha" in relaxation_scale(SCALE, config, path)
    pd.DataFrame({"sample": [0, 1], "temperature": [0.5, 0.5], "time_unit": "tau",
                  "tau": [20.0, 30.0]}).to_csv(path, index=False)
    assert "0.5: 25 (tau)" in relaxation_scale(SCALE, config, path)
