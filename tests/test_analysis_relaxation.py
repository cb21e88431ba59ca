"""KWW fits against analytic and independently integrated relaxation functions."""

import numpy as np
import pytest

from analysis.relaxation import (KWWFit, check_storage, fit_kww, fit_kww_loss, kww, kww_loss,
                                 kww_storage)


def test_stretched_exponential_parameters_are_recovered_through_noise():
    t = np.logspace(-2, 3, 80)  # ps
    rng = np.random.default_rng(3)
    phi = kww(t, 0.95, 12.0, 0.55) + rng.normal(0.0, 0.005, t.size)
    fit = fit_kww(t, phi)
    assert fit.tau == pytest.approx(12.0, abs=4 * fit.tau_error + 0.1)
    assert fit.beta == pytest.approx(0.55, abs=4 * fit.beta_error + 0.005)
    assert fit.amplitude == pytest.approx(0.95, abs=4 * fit.amplitude_error + 0.005)
    assert 0 < fit.tau_error < 1.0 and 0 < fit.beta_error < 0.05


def test_kww_loss_of_beta_one_is_the_debye_peak():
    periods = np.logspace(-1, 3, 25)
    omega_tau = 2 * np.pi / periods * 5.0
    debye = 30.0 * omega_tau / (1 + omega_tau**2)
    np.testing.assert_allclose(kww_loss(periods, 30.0, 5.0, 1.0), debye, rtol=1e-6)
    fit = fit_kww_loss(periods, debye)
    assert (fit.amplitude, fit.tau, fit.beta) == pytest.approx((30.0, 5.0, 1.0), rel=1e-3)


def test_kww_storage_of_beta_one_is_the_debye_step():
    periods = np.logspace(-1, 3, 25)
    omega_tau = 2 * np.pi / periods * 5.0
    debye = 30.0 * omega_tau**2 / (1 + omega_tau**2)
    np.testing.assert_allclose(kww_storage(periods, 30.0, 5.0, 1.0), debye, rtol=1e-6)


def test_storage_check_of_the_true_relaxation_is_chi_square_distributed():
    """Storage spectra drawn around M_e + the KWW storage of a known relaxation: the
    fitted relaxed modulus is unbiased with the stated error, and the p-value is
    uniform (a tenth of 400 draws below 0.1, within 3 binomial standard errors)."""
    periods, errors = np.logspace(-1, 2, 6), np.linspace(0.5, 2.0, 6)
    truth = KWWFit(40.0, 0.0, 2.0, 0.0, 0.6, 0.0)
    exact = 5.0 + kww_storage(periods, truth.amplitude, truth.tau, truth.beta)
    rng = np.random.default_rng(7)
    checks = [check_storage(truth, periods, exact + rng.normal(0.0, errors), errors)
              for _ in range(400)]
    relaxed = np.array([c.relaxed_modulus for c in checks])
    assert abs(relaxed.mean() - 5.0) < 3 * checks[0].relaxed_modulus_error / np.sqrt(400)
    assert np.std(relaxed) == pytest.approx(checks[0].relaxed_modulus_error, rel=0.1)
    low = np.mean([c.p_value < 0.1 for c in checks])
    assert abs(low - 0.1) < 3 * np.sqrt(0.1 * 0.9 / 400)
    assert checks[0].degrees_of_freedom == 5


def test_kww_loss_matches_a_direct_quadrature_for_a_stretched_relaxation():
    period, tau, beta = 7.0, 2.0, 0.5
    omega = 2 * np.pi / period
    t = np.linspace(0.0, 4000.0, 4_000_001)
    integrand = np.exp(-(t / tau) ** beta) * np.cos(omega * t)
    direct = omega * np.trapezoid(integrand, t)
    assert kww_loss(period, 1.0, tau, beta)[0] == pytest.approx(direct, rel=1e-3)


def test_stretched_loss_spectrum_is_fitted_with_its_beta():
    periods = np.logspace(-1, 4, 30)
    loss = kww_loss(periods, 20.0, 40.0, 0.6)
    noisy = loss * (1 + np.random.default_rng(1).normal(0.0, 0.02, loss.size))
    fit = fit_kww_loss(periods, noisy)
    assert fit.beta == pytest.approx(0.6, abs=max(4 * fit.beta_error, 0.02))
    assert fit.tau == pytest.approx(40.0, rel=0.1)
