"""The first-crossing barrier of well-tempered metadynamics on a double well of known
barrier (analysis.metad_bias): the hand-written Langevin integrator samples the
Boltzmann distribution; hills are tempered as Colvars tempers them, and the workflow's
profile from them is the integrator's bias; the workflow's estimator reads the
barrier within a stated tolerance at fine, frequent hills, low by more than 2 k_B T
when hills come slowly (the walker escapes over a residual barrier), and high when
tall hills come fast."""

import numpy as np
import pytest
from scipy.integrate import quad

from analysis.barriers import BOLTZMANN
from analysis.metad_bias import (DoubleWell, Langevin, Protocol, WellTemperedBias, bias_estimate,
                                 first_crossings, langevin_step, profile_grid)
from mgrelax.metad.jobs import hills_free_energy

TEMPERATURE = 600.0                   # K, the middle of the default campaign's 500-700 K
KT = BOLTZMANN * TEMPERATURE          # 0.052 eV
WELL = DoubleWell(barrier=0.5)        # eV; minima at 0.5 and 1.5 A, top at 1.0 A
REPLICAS = 128
MAX_STEPS = 150_000                   # 300 ps; the slowest crossing below takes 170 ps


def test_langevin_samples_the_boltzmann_distribution_of_a_basin():
    well = DoubleWell(barrier=1.0)    # 19 k_B T: no replica leaves the basin in 5 ps
    dynamics = Langevin(TEMPERATURE)
    rng = np.random.default_rng(5)
    s = np.full(16000, well.minimum)
    velocity = np.zeros(s.size)
    force = well.force(s)
    for _ in range(2500):
        s, velocity, force = langevin_step(s, velocity, force, well.force, dynamics, rng)
    # exact moments of exp(-F/k_B T) over the initial basin, by quadrature
    moments = [quad(lambda x: (x - well.minimum) ** k * boltzmann_factor(well, x), -1.0, well.top)[0]
               for k in range(3)]
    mean, variance = moments[1] / moments[0], moments[2] / moments[0] - (moments[1] / moments[0]) ** 2
    assert s.max() < well.top
    # 4 standard errors of the sample mean and variance of 16000 independent replicas
    assert np.mean(s - well.minimum) == pytest.approx(mean, abs=4 * np.sqrt(variance / s.size))
    assert np.var(s) == pytest.approx(variance, rel=4 * np.sqrt(2 / s.size))
    assert np.mean(velocity**2) * dynamics.mass == pytest.approx(KT, rel=4 * np.sqrt(2 / s.size))


def boltzmann_factor(well, s):
    """exp(-F(s)/k_B T) of the quartic double well, written out here as the truth."""
    return np.exp(-well.barrier * (((s - well.top) / well.half_width) ** 2 - 1) ** 2 / KT)


def test_hills_are_tempered_and_summed_as_colvars_does():
    protocol = Protocol(hill_weight=0.05, stride=100)
    bias = WellTemperedBias(protocol, profile_grid(2.0), replicas=1)
    centre, probe = 0.705, 0.805                    # bin centres, 0.1 A apart
    bias.deposit(100, np.array([centre]))
    bias.deposit(200, np.array([centre]))
    _, hills = next(bias.hills([0]))
    # the second hill sees the first one's full height at its bin: w exp(-w / k_B Delta T)
    tempered = 0.05 * np.exp(-0.05 / (BOLTZMANN * protocol.bias_temperature))
    np.testing.assert_allclose(hills["height"], [0.05, tempered], rtol=1e-12)
    sigma, total = protocol.hill_sigma, 0.05 + tempered
    slope = -total * (probe - centre) / sigma**2 * np.exp(-0.5 * ((probe - centre) / sigma) ** 2)
    assert bias.force(np.array([probe]))[0] == pytest.approx(-slope, rel=1e-12)
    # the workflow's profile from these hills is the integrator's bias, scaled and shifted
    scaled = -(TEMPERATURE + protocol.bias_temperature) / protocol.bias_temperature * bias.value[0]
    np.testing.assert_allclose(hills_free_energy(bias.grid, hills, TEMPERATURE, protocol.bias_temperature),
                               scaled - scaled.min(), atol=1e-12)


def estimate(hill_weight, stride):
    protocol = Protocol(hill_weight=hill_weight, stride=stride)
    crossings = first_crossings(WELL, Langevin(TEMPERATURE), protocol, REPLICAS, MAX_STEPS, seed=11)
    result = bias_estimate(crossings, WELL)
    # a replica that crosses within the first ten hill intervals has its initial basin
    # named on the far side (the workflow's rule) and never crosses again: rare
    assert result.crossed >= 0.95 * REPLICAS
    return result


def test_fine_frequent_hills_read_the_barrier_within_a_stated_tolerance():
    # 0.01 eV every 100 steps: unbiased within 2 standard errors + 0.02 eV (0.4 k_B T)
    result = estimate(0.01, 100)
    assert abs(result.bias) < 2 * result.bias_error + 0.02


def test_slow_deposition_reads_the_barrier_low_by_the_residual_barrier():
    # one 0.01 eV hill per 2 ps: the walker escapes over a barrier the bias has not yet
    # filled, so the estimate falls short of Delta F by more than 2 k_B T
    result = estimate(0.01, 1000)
    assert result.bias + 2 * result.bias_error < -2 * KT


def test_tall_frequent_hills_overshoot_the_barrier():
    # 0.05 eV every 50 steps (the default height, twice as often): the bias grows
    # faster than the walker escapes, so the first basin is overfilled when it crosses
    result = estimate(0.05, 50)
    assert result.bias - 2 * result.bias_error > KT / 2
