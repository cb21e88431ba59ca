"""DMS summary tables: sample means, the correspondence check and the scaling-law fit."""

import numpy as np
import pandas as pd
import pytest

from mgrelax.dms_summary import correspondence, sample_means, scaling_law


def test_sample_means_combine_spread_and_fit_errors():
    points = pd.DataFrame({"temperature": [300.0, 300.0], "phase": [1.0, 3.0],
                           "phase_error": [0.1, 0.1], "is_dmin": [0.2, 0.4]})
    row = sample_means(points, ["temperature"], ("phase", "is_dmin")).iloc[0]
    assert row["phase"] == 2.0 and row["n_samples"] == 2
    assert row["phase_error"] == pytest.approx(np.hypot(np.sqrt(2.0), 0.1) / np.sqrt(2.0))
    assert row["is_dmin_error"] == pytest.approx(np.std([0.2, 0.4], ddof=1) / np.sqrt(2.0))


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


def test_scaling_law_recovers_the_exponent_of_a_power_law():
    x = np.geomspace(0.02, 0.3, 8)
    spectra = pd.DataFrame({"mode": "shear", "temperature": 300.0, "period": np.arange(8.0),
                            "is_dmin_over_r0": x, "phase": 4.0 * x**2.8})
    law = scaling_law(spectra)
    assert law["exponent"] == pytest.approx(2.8) and law["prefactor"] == pytest.approx(4.0)
    assert law["n_points"] == 8


def test_scaling_law_with_too_few_points_says_so():
    spectra = pd.DataFrame({"mode": "shear", "temperature": 300.0, "period": [1.0, 2.0],
                            "is_dmin_over_r0": [0.1, 0.2], "phase": [0.1, 0.3]})
    assert "at least 3 points, got 2" in scaling_law(spectra)["error"]
