"""Kohlrausch-Williams-Watts (stretched-exponential) relaxation fits.

Time domain: phi(t) = A exp[-(t / tau)^beta] (e.g. the self-intermediate
scattering function F_s(q, t), Fusco Eq. 10). Frequency domain: a modulus that
relaxes as phi(t) has the loss modulus
M''(omega) = M_r omega int_0^inf exp[-(t / tau)^beta] cos(omega t) dt
(the relaxation strength M_r times the one-sided Fourier transform of -dphi/dt),
which is how the loss spectrum M''(t_w), omega = 2 pi / t_w, is fitted (Yu et al.,
Fig. S15). The same relaxation fixes the storage modulus up to the relaxed modulus
M_e (Kramers-Kronig): M'(omega) = M_e + M_r omega int_0^inf phi(t) sin(omega t) dt, so
a loss-spectrum fit predicts the measured storage spectrum, an independent check.
Times in any unit (ps, tau); tau comes back in the same unit.
"""

from dataclasses import dataclass

import numpy as np
from scipy.integrate import quad
from scipy.optimize import curve_fit
from scipy.stats import chi2

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
    return _kww_transform(period, strength, tau, beta, "cos")


def kww_storage(period, strength, tau, beta):
    """Storage modulus of a KWW relaxation of strength M_r above the relaxed modulus,
    M'(t_w) - M_e (unit of the modulus)."""
    return _kww_transform(period, strength, tau, beta, "sin")


def _kww_transform(period, strength, tau, beta, weight):
    """M_r omega tau int_0^inf exp(-x^beta) {cos, sin}(omega tau x) dx at omega = 2 pi / t_w."""
    omega = 2.0 * np.pi / np.atleast_1d(np.asarray(period, float))
    # quad's QAWF rule integrates f(x) cos or sin (omega tau x) over [0, inf)
    transform = [quad(lambda x: np.exp(-x**beta), 0.0, np.inf, weight=weight, wvar=w * tau)[0]
                 for w in omega]
    return strength * omega * tau * np.array(transform)


@dataclass(frozen=True)
class StorageCheck:
    """The measured storage spectrum against the one a loss-spectrum fit predicts.

    relaxed_modulus : M_e, the error-weighted mean of measured minus predicted M'
        (zero for a liquid), with its standard error; chi_square over
        degrees_of_freedom (points - 1) and its p_value: the probability of a larger
        chi-square if the KWW relaxation and the stated errors were exact.
    """

    relaxed_modulus: float
    relaxed_modulus_error: float
    chi_square: float
    degrees_of_freedom: int
    p_value: float


def check_storage(fit: KWWFit, period, storage_modulus, storage_errors) -> StorageCheck:
    """Kramers-Kronig check of a loss-spectrum fit ``fit`` on the measured storage
    moduli (with their standard errors) at the same periods."""
    storage = np.asarray(storage_modulus, float)
    weights = 1.0 / np.asarray(storage_errors, float) ** 2
    difference = storage - kww_storage(period, fit.amplitude, fit.tau, fit.beta)
    relaxed = float(np.sum(weights * difference) / np.sum(weights))
    chi_square = float(np.sum(weights * (difference - relaxed) ** 2))
    dof = storage.size - 1
    return StorageCheck(relaxed, float(1.0 / np.sqrt(np.sum(weights))), chi_square, dof,
                        float(chi2.sf(chi_square, dof)))


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
