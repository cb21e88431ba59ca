"""Kohlrausch-Williams-Watts (stretched-exponential) relaxation fits.

Time domain: phi(t) = A exp[-(t / tau)^beta] (e.g. the self-intermediate
scattering function F_s(q, t), Fusco Eq. 10). Frequency domain: a modulus that
relaxes as phi(t) has the loss modulus
M''(omega) = M_r omega int_0^inf exp[-(t / tau)^beta] cos(omega t) dt
(the relaxation strength M_r times the one-sided Fourier transform of -dphi/dt),
which is how the loss spectrum M''(t_w), omega = 2 pi / t_w, is fitted (Yu et al.,
Fig. S15). Times in any unit (ps, tau); tau comes back in the same unit.
"""

from dataclasses import dataclass

import numpy as np
from scipy.integrate import quad
from scipy.optimize import curve_fit

BETA_BOUNDS = (0.05, 1.0)


@dataclass(frozen=True)
class KWWFit:
    """Fitted amplitude (of phi, or the relaxation strength M_r), tau and beta, with
    standard errors from the fit covariance (scaled by the residuals, or absolute
    when the data errors are given)."""

    amplitude: float
    amplitude_error: float
    tau: float
    tau_error: float
    beta: float
    beta_error: float


def kww(time, amplitude, tau, beta):
    """A exp[-(t / tau)^beta]."""
    return amplitude * np.exp(-np.power(np.asarray(time, float) / tau, beta))


def kww_loss(period, strength, tau, beta):
    """Loss modulus M''(t_w) of a KWW relaxation of strength M_r (unit of the modulus)."""
    omega = 2.0 * np.pi / np.atleast_1d(np.asarray(period, float))
    # quad's QAWF rule integrates f(t) cos(omega t) over [0, inf) in units of tau
    transform = [quad(lambda x: np.exp(-x**beta), 0.0, np.inf, weight="cos", wvar=w * tau)[0]
                 for w in omega]
    return strength * omega * tau * np.array(transform)


def fit_kww(time, correlation, errors=None) -> KWWFit:
    """Fit A exp[-(t/tau)^beta] to a decaying correlation function (e.g. F_s(q, t))."""
    t, phi = np.asarray(time, float), np.asarray(correlation, float)
    guess = (phi[0], _crossing_time(t, phi / phi[0], np.exp(-1.0)), 0.7)
    return _fit(kww, t, phi, guess, errors)


def fit_kww_loss(period, loss_modulus, errors=None) -> KWWFit:
    """Fit the loss spectrum M''(t_w) with the KWW loss; amplitude is the strength M_r."""
    tw, loss = np.asarray(period, float), np.asarray(loss_modulus, float)
    peak = int(np.argmax(loss))
    # Debye: M'' peaks at omega tau = 1 with height M_r / 2
    guess = (2.0 * loss[peak], tw[peak] / (2.0 * np.pi), 0.7)
    return _fit(kww_loss, tw, loss, guess, errors)


def _fit(model, x, y, guess, errors) -> KWWFit:
    bounds = ([-np.inf, 0.0, BETA_BOUNDS[0]], [np.inf, np.inf, BETA_BOUNDS[1]])
    values, covariance = curve_fit(model, x, y, p0=guess, sigma=errors,
                                   absolute_sigma=errors is not None, bounds=bounds)
    amplitude, tau, beta = values
    amplitude_error, tau_error, beta_error = np.sqrt(np.diag(covariance))
    return KWWFit(float(amplitude), float(amplitude_error), float(tau), float(tau_error),
                  float(beta), float(beta_error))


def _crossing_time(t, phi, level) -> float:
    """First time phi falls below ``level`` (the last time if it never does)."""
    below = np.nonzero(phi < level)[0]
    return float(t[below[0]] if below.size else t[-1])
