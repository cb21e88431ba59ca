"""Moduli from synthetic oscillatory signals with known answers."""

import numpy as np
import pytest

from analysis.dms import fit_oscillation, fit_sinusoid

PERIOD = 10.0  # ps
AMPLITUDE = 0.012


def maxwell_moduli(modulus, relaxation_time, period):
    """G', G'' of a Maxwell body (spring G, relaxation time tau) at angular frequency 2 pi / t_w."""
    wt = 2 * np.pi / period * relaxation_time
    return modulus * wt**2 / (1 + wt**2), modulus * wt / (1 + wt**2)


def oscillation(storage, loss, noise=0.0, cycles=10, points_per_cycle=200, seed=0,
                transient=0.0):
    """Strain gammaA sin(w t) and the linear response stress plus noise and a decaying transient."""
    t = np.arange(cycles * points_per_cycle + 1) * PERIOD / points_per_cycle + 3.7
    omega = 2 * np.pi / PERIOD
    strain = AMPLITUDE * np.sin(omega * (t - t[0]))
    stress = AMPLITUDE * (storage * np.sin(omega * (t - t[0])) + loss * np.cos(omega * (t - t[0])))
    stress += transient * np.exp(-(t - t[0]) / (0.1 * PERIOD)) + 0.05  # gone after one cycle
    stress += np.random.default_rng(seed).normal(0.0, noise, t.size)
    return t, strain, stress


@pytest.mark.parametrize("relaxation_time", [0.3, 1.6, 12.0])
def test_maxwell_moduli_are_recovered_through_noise(relaxation_time):
    storage, loss = maxwell_moduli(30.0, relaxation_time, PERIOD)  # GPa
    t, strain, stress = oscillation(storage, loss, noise=0.02, transient=0.5)
    fit = fit_oscillation(t, strain, stress, PERIOD)
    assert fit.n_cycles == 9 and fit.strain_amplitude == pytest.approx(AMPLITUDE, rel=1e-9)
    for value, error, exact in ((fit.storage_modulus, fit.storage_modulus_error, storage),
                                (fit.loss_modulus, fit.loss_modulus_error, loss)):
        assert 0 < error < 0.05 * 30.0
        assert abs(value - exact) < 4 * error + 0.02 * 30.0 * 0.1
    assert fit.phase == pytest.approx(np.arctan2(loss, storage), abs=4 * fit.phase_error + 1e-3)
    assert fit.loss_factor == pytest.approx(loss / storage, rel=0.05)
    assert fit.loop_loss_modulus == pytest.approx(fit.loss_modulus, abs=0.05 * 30.0 * 0.1 + 0.05)
    signal_variance = 0.5 * (AMPLITUDE * np.hypot(storage, loss)) ** 2
    assert fit.r_squared == pytest.approx(signal_variance / (signal_variance + 0.02**2), abs=0.03)


def test_elastic_solid_and_newtonian_liquid_limits():
    solid = fit_oscillation(*oscillation(25.0, 0.0), PERIOD)
    liquid = fit_oscillation(*oscillation(0.0, 25.0), PERIOD)
    assert solid.phase == pytest.approx(0.0, abs=1e-9)
    assert solid.storage_modulus == pytest.approx(25.0, rel=1e-9)
    assert liquid.phase == pytest.approx(np.pi / 2, abs=1e-9)
    assert liquid.loss_modulus == pytest.approx(25.0, rel=1e-9)
    assert liquid.loop_loss_modulus == pytest.approx(25.0, rel=1e-3)


def test_sinusoid_fit_is_exact_without_noise():
    t = np.linspace(0.0, 30.0, 601)
    fit = fit_sinusoid(t, 1.5 + 2.0 * np.sin(2 * np.pi * t / 7.5 + 0.4), 7.5)
    assert (fit.offset, fit.amplitude, fit.phase) == pytest.approx((1.5, 2.0, 0.4), abs=1e-12)


def test_too_few_cycles_or_points_are_refused():
    t, strain, stress = oscillation(20.0, 2.0, cycles=1)
    with pytest.raises(ValueError, match="whole cycle"):
        fit_oscillation(t, strain, stress, PERIOD)
    t, strain, stress = oscillation(20.0, 2.0, points_per_cycle=8)
    with pytest.raises(ValueError, match="points per cycle"):
        fit_oscillation(t, strain, stress, PERIOD)
