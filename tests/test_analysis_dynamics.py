"""Diffusion coefficient, melting check, F_s(q, t) with its block errors and its KWW fit."""

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import gamma

from analysis.dynamics import (DEFAULT_BLOCKS, NoRelaxationError, SelfIntermediateScattering,
                               check_liquid, diffusion_from_msd, fit_relaxation,
                               self_intermediate_scattering)
from analysis.relaxation import fit_kww, kww


def test_diffusion_coefficient_from_noisy_linear_msd():
    d_true = 0.35  # A^2/ps
    time = np.linspace(0.0, 20.0, 201)
    msd = 6 * d_true * time + 0.8 + np.random.default_rng(0).normal(0.0, 0.2, time.size)
    result = diffusion_from_msd(time, msd)
    assert result.n_points == 101
    assert 0.0 < result.uncertainty < 0.01
    assert result.coefficient == pytest.approx(d_true, abs=4 * result.uncertainty)
    assert result.intercept == pytest.approx(0.8, abs=4 * result.intercept_uncertainty)


def test_diffusion_ignores_early_ballistic_regime():
    time = np.linspace(0.0, 10.0, 101)
    msd = np.where(time < 2.0, 3.0 * time**2, 6 * 0.5 * time)
    assert diffusion_from_msd(time, msd).coefficient == pytest.approx(0.5)


def test_diffusion_needs_three_points():
    with pytest.raises(ValueError, match="need at least 3"):
        diffusion_from_msd([0.0, 1.0, 2.0], [0.0, 1.0, 2.0])


def test_liquid_passes_and_superheated_crystal_fails():
    d_nn = 2.7  # A, Cu-Zr first shell
    liquid = check_liquid(msd_final=35.0, nearest_neighbour_distance=d_nn)
    crystal = check_liquid(msd_final=0.2, nearest_neighbour_distance=d_nn)
    assert liquid.passed and not crystal.passed
    assert liquid.threshold == pytest.approx(d_nn**2)
    assert "has left" in liquid.reason and "has not left" in crystal.reason


def test_liquid_factor_scales_threshold():
    assert not check_liquid(10.0, 2.7, factor=2.0).passed
    with pytest.raises(ValueError):
        check_liquid(10.0, 0.0)


DIFFUSIVITY = {1: 0.5, 2: 0.1}   # A^2/ps
WAVENUMBER = 2.0                 # 1/A


def brownian_trajectory(n_frames=41, dt=0.05, atoms_per_type=1000, drift=(2.0, -1.0, 0.5), seed=0):
    """Unwrapped random walks with 2 D dt variance per component and step, plus a uniform drift (A/ps)."""
    rng = np.random.default_rng(seed)
    types = np.repeat(list(DIFFUSIVITY), atoms_per_type)
    step_sd = np.sqrt(2 * np.array([DIFFUSIVITY[t] for t in types]) * dt)[None, :, None]
    steps = rng.normal(0.0, 1.0, (n_frames - 1, types.size, 3)) * step_sd + dt * np.asarray(drift)
    start = rng.uniform(0.0, 20.0, (1, types.size, 3))
    positions = np.concatenate([start, start + np.cumsum(steps, axis=0)])
    return dt * np.arange(n_frames), positions, types


def test_self_intermediate_scattering_of_brownian_motion():
    """Gaussian displacements of variance 2 D t per component: F_s(q, t) = exp(-q^2 D t)."""
    times, positions, types = brownian_trajectory()
    result = self_intermediate_scattering(times, positions, WAVENUMBER, types)
    assert isinstance(result, SelfIntermediateScattering)
    np.testing.assert_allclose(result.lag, times)
    assert result.fs[0] == pytest.approx(1.0) and result.fs_error[0] == pytest.approx(0.0)
    # 41 frames, 5 blocks: lags of at most 41 / 6 frames have errors
    with_errors = np.isfinite(result.fs_error)
    np.testing.assert_array_equal(with_errors, np.arange(41) <= 6)
    assert "5 contiguous blocks of time origins" in result.error_kind
    # an error from 5 blocks has 4 degrees of freedom: |t| < 8.6 with probability 0.999
    exact = {t: np.exp(-WAVENUMBER**2 * d * result.lag) for t, d in DIFFUSIVITY.items()}
    for t in DIFFUSIVITY:
        deviation = np.abs(result.fs_by_type[t] - exact[t])[with_errors]
        assert np.all(deviation <= 8.6 * result.fs_error_by_type[t][with_errors] + 1e-12), t
    deviation = np.abs(result.fs - 0.5 * (exact[1] + exact[2]))[with_errors]
    assert np.all(deviation <= 8.6 * result.fs_error[with_errors] + 1e-12)
    assert 0.0 < result.fs_error[6] < 0.01
    fit = fit_kww(result.lag, result.fs_by_type[1])
    assert fit.tau == pytest.approx(1 / (WAVENUMBER**2 * DIFFUSIVITY[1]), rel=0.05)
    assert fit.beta == pytest.approx(1.0, abs=0.03)


def test_self_intermediate_scattering_origins():
    times, positions, _ = brownian_trajectory(n_frames=12, atoms_per_type=50)
    every = self_intermediate_scattering(times, positions, WAVENUMBER)
    np.testing.assert_array_equal(every.n_origins, 12 - np.arange(12))
    assert every.fs_by_type == {}
    first = self_intermediate_scattering(times, positions, WAVENUMBER, max_origins=1)
    np.testing.assert_array_equal(first.n_origins, np.ones(12))
    assert np.isnan(first.fs_error).all()  # one origin cannot fill 5 blocks
    displacement = positions - positions[0]
    distance = np.linalg.norm(displacement - displacement.mean(axis=1, keepdims=True), axis=2)
    by_hand = np.mean(np.sin(WAVENUMBER * distance[1:]) / (WAVENUMBER * distance[1:]), axis=1)
    np.testing.assert_allclose(first.fs[1:], by_hand, rtol=1e-12)


def test_self_intermediate_scattering_needs_equally_spaced_frames():
    _, positions, _ = brownian_trajectory(n_frames=4, atoms_per_type=5)
    with pytest.raises(ValueError, match="equally spaced"):
        self_intermediate_scattering([0.0, 1.0, 2.0, 3.5], positions, WAVENUMBER)
    with pytest.raises(ValueError, match="positions"):
        self_intermediate_scattering([0.0, 1.0, 2.0], positions, WAVENUMBER)


def test_self_intermediate_scattering_needs_two_blocks():
    times, positions, _ = brownian_trajectory(n_frames=4, atoms_per_type=5)
    with pytest.raises(ValueError, match="n_blocks"):
        self_intermediate_scattering(times, positions, WAVENUMBER, n_blocks=1)


# Cooperative random walkers: each atom's step is its own Gaussian step plus that of its group
# (8 groups of 40 atoms), so atoms of a group move together as in collective or heterogeneous
# motion. After removing the mean displacement of all atoms the displacement stays Gaussian
# with variance 2 D_eff t per component, D_eff = D_own (1 - 1/N) + D_group (1 - 1/n_groups):
# F_s(q, t) = exp(-q^2 D_eff t), a KWW with tau = 1 / (q^2 D_eff) and beta = 1.
OWN_DIFFUSIVITY, GROUP_DIFFUSIVITY = 0.05, 0.1   # A^2/ps
GROUPS, ATOMS_PER_GROUP = 8, 40
FRAME_INTERVAL, N_FRAMES = 0.3, 61              # ps
REPETITIONS = 150
EFFECTIVE_DIFFUSIVITY = (OWN_DIFFUSIVITY * (1 - 1 / (GROUPS * ATOMS_PER_GROUP))
                         + GROUP_DIFFUSIVITY * (1 - 1 / GROUPS))
TRUE_TAU = 1 / (WAVENUMBER**2 * EFFECTIVE_DIFFUSIVITY)  # ps


def cooperative_trajectory(rng):
    """(times (ps), unwrapped positions (A)) of the cooperative random walkers."""
    own = rng.normal(0.0, np.sqrt(2 * OWN_DIFFUSIVITY * FRAME_INTERVAL),
                     (N_FRAMES - 1, GROUPS * ATOMS_PER_GROUP, 3))
    group = rng.normal(0.0, np.sqrt(2 * GROUP_DIFFUSIVITY * FRAME_INTERVAL),
                       (N_FRAMES - 1, GROUPS, 3))
    steps = own + np.repeat(group, ATOMS_PER_GROUP, axis=1)
    start = rng.uniform(0.0, 20.0, (1, GROUPS * ATOMS_PER_GROUP, 3))
    positions = np.concatenate([start, start + np.cumsum(steps, axis=0)])
    return FRAME_INTERVAL * np.arange(N_FRAMES), positions


def atom_independent_error(positions, lag):
    """The former error of F_s at one lag (frames): spread over atoms of each atom's
    origin-averaged sin(q r) / (q r), / sqrt(N), every origin used (atoms as independent)."""
    displacement = positions[lag:] - positions[:len(positions) - lag]
    displacement -= displacement.mean(axis=1, keepdims=True)
    per_atom = np.sinc(WAVENUMBER * np.linalg.norm(displacement, axis=2) / np.pi).mean(axis=0)
    return per_atom.std(ddof=1) / np.sqrt(per_atom.size)


@pytest.fixture(scope="module")
def repetitions():
    """F_s, its block errors, the former errors and the KWW fit of independent repetitions."""
    rng = np.random.default_rng(17)
    runs = []
    for _ in range(REPETITIONS):
        times, positions = cooperative_trajectory(rng)
        scattering = self_intermediate_scattering(times, positions, WAVENUMBER)
        with_errors = np.nonzero(np.isfinite(scattering.fs_error))[0]
        runs.append((scattering, [atom_independent_error(positions, lag) for lag in with_errors],
                     fit_relaxation(scattering)))
    return runs


def test_block_errors_match_scatter_over_repetitions(repetitions):
    scatterings = [scattering for scattering, _, _ in repetitions]
    with_errors = np.isfinite(scatterings[0].fs_error)
    assert with_errors.sum() == 11  # lags up to 61 / 6 frames = 3.0 ps
    fs = np.array([s.fs[with_errors] for s in scatterings])
    lag = scatterings[0].lag[with_errors]
    actual = fs.std(axis=0, ddof=1)
    np.testing.assert_array_less(np.abs(fs.mean(axis=0) - np.exp(-lag / TRUE_TAU)),
                                 4 * actual / np.sqrt(REPETITIONS) + 1e-12)
    block = np.sqrt(np.mean([s.fs_error[with_errors] ** 2 for s in scatterings], axis=0))
    former = np.sqrt(np.mean(np.square([errors for _, errors, _ in repetitions]), axis=0))
    print("lag (ps):", lag, "\nsd over repetitions:", actual, "\nrms block error:", block,
          "\nrms atom-independent error:", former)
    assert np.all((block[1:] > 0.7 * actual[1:]) & (block[1:] < 1.3 * actual[1:]))
    assert np.all(former[1:] < 0.5 * actual[1:])  # blind to the atoms' correlations


def test_jackknife_errors_of_kww_fit_match_scatter_over_repetitions(repetitions):
    fits = [fit for _, _, fit in repetitions]
    true = {"tau": TRUE_TAU, "beta": 1.0, "tau_integral": TRUE_TAU, "integral_mismatch": 0.0}
    for name, value in true.items():
        estimates = np.array([getattr(fit, name) for fit in fits])
        errors = np.array([getattr(fit, name + "_error") for fit in fits])
        actual = estimates.std(ddof=1)
        rms_error = np.sqrt(np.mean(errors**2))
        print(f"{name}: mean {estimates.mean():.4f} (true {value:.4f}), sd over repetitions "
              f"{actual:.4f}, rms jackknife error {rms_error:.4f}")
        assert 0.6 * actual < rms_error < 1.6 * actual, name
        assert abs(estimates.mean() - value) < actual, name  # any bias is below one run's error
    mismatch = np.array([fit.integral_mismatch for fit in fits])
    assert abs(mismatch.mean()) < 4 * mismatch.std(ddof=1) / np.sqrt(REPETITIONS)  # F_s is a KWW


def scattering_of_curve(lag, fs_by_block):
    """SelfIntermediateScattering whose blocks are the given curves (n_blocks, n_lags)."""
    n_blocks = len(fs_by_block)
    return SelfIntermediateScattering(
        q=WAVENUMBER, lag=lag, fs=fs_by_block.mean(axis=0), fs_by_block=fs_by_block,
        fs_error=fs_by_block.std(axis=0, ddof=1) / np.sqrt(n_blocks), fs_by_type={},
        fs_error_by_type={}, n_origins=np.full(lag.size, 100), n_blocks=n_blocks,
        error_kind="test")


def test_fit_relaxation_of_a_kww_curve():
    """Blocks: A exp[-(t/tau)^beta] with small noise; fs_integral against a quadrature."""
    amplitude, tau, beta = 0.8, 2.0, 0.6
    lag = 0.02 * np.arange(301)
    noise = np.random.default_rng(3).normal(0.0, 1e-4, (DEFAULT_BLOCKS, lag.size))
    curve = kww(lag, amplitude, tau, beta)
    curve[0] = 1.0  # F_s(0) = 1: the fast decay to the plateau A lies between the first two lags
    result = fit_relaxation(scattering_of_curve(lag, curve + noise))
    assert result.tau == pytest.approx(tau, rel=1e-3)
    assert result.beta == pytest.approx(beta, rel=1e-3)
    assert result.tau_integral == pytest.approx(quad(kww, 0, np.inf, args=(1.0, tau, beta))[0],
                                                rel=1e-3)
    assert result.tau_integral == pytest.approx(tau / beta * gamma(1 / beta), rel=1e-3)
    # the trapezoid rule over [0, 0.02] adds (1 - A) x 0.02 / 2 to the KWW's integral
    integral = quad(kww, 0, np.inf, args=(amplitude, tau, beta))[0] + (1 - amplitude) * 0.01
    assert result.fs_integral == pytest.approx(integral, rel=2e-3)
    assert result.integration_end == lag[-1]  # F_s > 0.1 throughout: the KWW tail is added
    assert 0 < result.tau_error < 0.01 and "5 blocks" in result.kww_error_kind


def test_fit_relaxation_needs_decay_below_one_over_e():
    lag = 0.1 * np.arange(60)
    noise = np.random.default_rng(4).normal(0.0, 1e-3, (DEFAULT_BLOCKS, lag.size))
    with pytest.raises(NoRelaxationError, match="1/e"):
        fit_relaxation(scattering_of_curve(lag, kww(lag, 0.8, 100.0, 0.6) + noise))
