"""Dynamic mechanical spectroscopy: moduli from an oscillatory strain and its stress.

The strain gamma(t) = gamma0 + gammaA sin(2 pi t / t_w) is imposed, the stress
is fitted as sigma(t) = sigma0 + sigmaA sin(2 pi t / t_w + delta) (Yu et al.,
Eqs. 4-6; Fusco, Eqs. 2-3). With M* = sigmaA / gammaA exp(i delta):
M' = sigmaA / gammaA cos(delta) (storage), M'' = sigmaA / gammaA sin(delta)
(loss), tan(delta) (loss factor). Moduli are in the stress unit (strain is
dimensionless); the phase is in radians.
"""

from dataclasses import dataclass

import numpy as np

MIN_POINTS_PER_CYCLE = 20


@dataclass(frozen=True)
class Sinusoid:
    """offset + amplitude sin(omega t + phase), with standard errors."""

    offset: float
    amplitude: float
    amplitude_error: float
    phase: float
    phase_error: float
    residual_rms: float


@dataclass(frozen=True)
class OscillationFit:
    """Fitted response to one oscillatory strain (moduli in the stress unit).

    Errors are the larger of the least-squares error of the fit over all whole
    cycles and the standard error of the cycle-by-cycle values (which, unlike the
    former, knows that thermal noise is correlated in time). ``r_squared`` is the
    fraction of the stress variance the sinusoid explains; ``loop_loss_modulus``
    is M'' from the area of the stress-strain loop, W = pi sigmaA gammaA sin(delta),
    an independent check of ``loss_modulus``.
    """

    strain_amplitude: float
    stress_amplitude: float
    stress_amplitude_error: float
    stress_offset: float
    phase: float
    phase_error: float
    storage_modulus: float
    storage_modulus_error: float
    loss_modulus: float
    loss_modulus_error: float
    loss_factor: float
    loss_factor_error: float
    loop_loss_modulus: float
    r_squared: float
    n_cycles: int


def fit_sinusoid(time, signal, period) -> Sinusoid:
    """Least-squares fit of offset + amplitude sin(2 pi t / period + phase) (linear in
    offset, a = amplitude cos(phase), b = amplitude sin(phase))."""
    t, y = np.asarray(time, float), np.asarray(signal, float)
    omega = 2.0 * np.pi / period
    design = np.column_stack([np.ones_like(t), np.sin(omega * t), np.cos(omega * t)])
    coefficients, _, _, _ = np.linalg.lstsq(design, y, rcond=None)
    residuals = y - design @ coefficients
    variance = residuals @ residuals / max(len(t) - 3, 1)
    covariance = variance * np.linalg.inv(design.T @ design)
    offset, a, b = coefficients
    amplitude = float(np.hypot(a, b))
    # gradients of amplitude and phase with respect to (a, b)
    grad_amplitude = np.array([0.0, a, b]) / amplitude
    grad_phase = np.array([0.0, -b, a]) / amplitude**2
    return Sinusoid(offset=float(offset), amplitude=amplitude,
                    amplitude_error=float(np.sqrt(grad_amplitude @ covariance @ grad_amplitude)),
                    phase=float(np.arctan2(b, a)),
                    phase_error=float(np.sqrt(grad_phase @ covariance @ grad_phase)),
                    residual_rms=float(np.sqrt(np.mean(residuals**2))))


def fit_oscillation(time, strain, stress, period, skip_cycles=1) -> OscillationFit:
    """Storage and loss moduli, phase and loss factor of one oscillatory run.

    Parameters
    ----------
    time : array_like (n,)
        Sampling times (ps, or tau), at least MIN_POINTS_PER_CYCLE per period.
    strain : array_like (n,)
        Measured strain (dimensionless), e.g. the box tilt over its height.
    stress : array_like (n,)
        Stress conjugate to the strain (GPa, bar, ... : the moduli take its unit);
        in LAMMPS, minus the pressure tensor component.
    period : float
        Period t_w of the imposed strain (same unit as time).
    skip_cycles : int
        Leading cycles left out as the transient; the fit uses the whole cycles after.
    """
    t, gamma, sigma = (np.asarray(x, float) for x in (time, strain, stress))
    phase_time = (t - t[0]) / period  # in cycles
    cycles = np.floor(phase_time + 1e-9).astype(int)
    n_cycles = int(cycles[-1])  # whole cycles spanned
    steady = (phase_time >= skip_cycles - 1e-9) & (phase_time <= n_cycles + 1e-9)
    n_used = n_cycles - skip_cycles
    if n_used < 1 or steady.sum() < MIN_POINTS_PER_CYCLE * n_used:
        raise ValueError(f"need at least one whole cycle after {skip_cycles} skipped with "
                         f">= {MIN_POINTS_PER_CYCLE} points per cycle; got {n_used} cycles "
                         f"and {int(steady.sum())} points")
    whole = _moduli(t[steady], gamma[steady], sigma[steady], period)
    per_cycle = [_moduli(t[cycles == k], gamma[cycles == k], sigma[cycles == k], period)
                 for k in range(skip_cycles, n_cycles)]
    errors = {key: max(whole[key + "_error"], _standard_error([c[key] for c in per_cycle]))
              for key in ("stress_amplitude", "phase", "storage_modulus", "loss_modulus",
                          "loss_factor")}
    area = _loop_area(gamma[steady], sigma[steady])
    return OscillationFit(
        strain_amplitude=whole["strain_amplitude"],
        stress_amplitude=whole["stress_amplitude"],
        stress_amplitude_error=errors["stress_amplitude"],
        stress_offset=whole["stress_offset"],
        phase=whole["phase"], phase_error=errors["phase"],
        storage_modulus=whole["storage_modulus"],
        storage_modulus_error=errors["storage_modulus"],
        loss_modulus=whole["loss_modulus"], loss_modulus_error=errors["loss_modulus"],
        loss_factor=whole["loss_factor"], loss_factor_error=errors["loss_factor"],
        loop_loss_modulus=area / (np.pi * whole["strain_amplitude"] ** 2 * n_used),
        r_squared=whole["r_squared"], n_cycles=n_used,
    )


def _moduli(t, gamma, sigma, period) -> dict:
    strain_fit, stress_fit = fit_sinusoid(t, gamma, period), fit_sinusoid(t, sigma, period)
    delta = stress_fit.phase - strain_fit.phase
    delta = float(np.angle(np.exp(1j * delta)))  # into (-pi, pi]
    delta_error = float(np.hypot(stress_fit.phase_error, strain_fit.phase_error))
    ratio = stress_fit.amplitude / strain_fit.amplitude
    ratio_error = ratio * np.hypot(stress_fit.amplitude_error / stress_fit.amplitude,
                                   strain_fit.amplitude_error / strain_fit.amplitude)
    cos, sin = np.cos(delta), np.sin(delta)
    return {
        "strain_amplitude": strain_fit.amplitude, "stress_amplitude": stress_fit.amplitude,
        "stress_amplitude_error": stress_fit.amplitude_error,
        "stress_offset": stress_fit.offset, "phase": delta, "phase_error": delta_error,
        "storage_modulus": ratio * cos,
        "storage_modulus_error": float(np.hypot(ratio_error * cos, ratio * sin * delta_error)),
        "loss_modulus": ratio * sin,
        "loss_modulus_error": float(np.hypot(ratio_error * sin, ratio * cos * delta_error)),
        "loss_factor": float(np.tan(delta)),
        "loss_factor_error": float(delta_error / cos**2),
        "r_squared": 1.0 - stress_fit.residual_rms**2 / float(np.var(sigma)),
    }


def _standard_error(values) -> float:
    values = np.asarray(values, float)
    return float(np.std(values, ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0


def _loop_area(strain, stress) -> float:
    """Dissipated work per unit volume, the integral of stress d(strain) over the loops."""
    return float(np.sum(0.5 * (stress[1:] + stress[:-1]) * np.diff(strain)))
