"""Systematic error of the first-crossing barrier of well-tempered metadynamics, measured
on a one-dimensional double well whose barrier is known exactly.

A coordinate s (Angstrom, standing in for a cluster's RMSD) moves by underdamped
Langevin dynamics on F(s) = Delta F ((s - s_top)^2 / a^2 - 1)^2 (eV): minima at
s_top -/+ a, barrier Delta F at s_top. Many independent replicas run at once (numpy
arrays over replicas). Hills are deposited as Colvars does with its grids: every
``stride`` steps (first at step ``stride``), at the current s, of height
w exp(-V(s) / k_B Delta T) with V the grid value at the bin of s, summed on a grid of
bin centres (the workflow's GRID_SPACING) whose slope at the bin of s gives the bias
force. Every
``check_steps`` steps (the workflow's segments) the workflow's own stopping rule reads
the barrier: mgrelax.metad.jobs.crossing_of_hills on the hills so far, with the initial
basin from early_median_cv and the least basin depth from least_basin_depth, so the
estimate is the one the campaign would record for this surface.

Written by hand: the Langevin integrator (BAOAB, Leimkuhler and Matthews, Appl. Math.
Res. Express 2013, 34), as neither numpy nor scipy integrates stochastic dynamics.
Units: Angstrom, ps, eV, K; masses in eV ps^2 / Angstrom^2.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from analysis.barriers import BOLTZMANN
from analysis.metad import (BASIN_DEPTH_IN_HILLS, GRID_SPACING, crossing_of_hills,
                            early_median_cv, least_basin_depth)

AMU = 1.0364269e-4
"""eV ps^2 / Angstrom^2 per atomic mass unit."""
CLUSTER_MASS = 13 * 77.38 * AMU
"""eV ps^2 / Angstrom^2: a 13-atom Cu50Zr50 cluster moving together (RMSD s, all atoms
displaced by s: kinetic energy (sum of masses) s'^2 / 2)."""


@dataclass(frozen=True)
class DoubleWell:
    """F(s) = barrier ((s - top)^2 / half_width^2 - 1)^2: initial minimum at top -
    half_width, second at top + half_width, F(top) - F(minimum) = barrier exactly.

    barrier : eV. top, half_width : Angstrom."""

    barrier: float = 0.5
    top: float = 1.0
    half_width: float = 0.5

    @property
    def minimum(self) -> float:
        """Initial minimum (Angstrom)."""
        return self.top - self.half_width

    @property
    def curvature(self) -> float:
        """F'' at the minima (eV / Angstrom^2)."""
        return 8 * self.barrier / self.half_width**2

    def force(self, s):
        """-dF/ds (eV / Angstrom)."""
        u = (np.asarray(s) - self.top) / self.half_width
        return -4 * self.barrier * u * (u**2 - 1) / self.half_width


@dataclass(frozen=True)
class Langevin:
    """Underdamped Langevin dynamics of s.

    temperature : K. mass : eV ps^2 / Angstrom^2. friction : 1/ps (the default is the
    inverse of the workflow's default thermostat damping, 0.2 ps). timestep : ps (the
    default campaign's 2 fs)."""

    temperature: float
    mass: float = CLUSTER_MASS
    friction: float = 5.0
    timestep: float = 0.002

    def attempt_frequency(self, well: DoubleWell) -> float:
        """Harmonic frequency of the minima (1/ps, i.e. THz)."""
        return np.sqrt(well.curvature / self.mass) / (2 * np.pi)


@dataclass(frozen=True)
class Protocol:
    """Well-tempered hills and the stopping rule, as the workflow's ``metad`` section.

    hill_weight : initial height w (eV). stride : steps between hills (hill_interval).
    hill_sigma : Angstrom (hill_width / 2). bias_temperature : Delta T (K).
    prominence : saddle_prominence (eV). depth_in_hills : least depth of a basin in
    first hills (the workflow's BASIN_DEPTH_IN_HILLS). check_steps : steps between
    checks of the stopping rule (check_interval). trajectory_every : steps between CV
    records (trajectory_interval); the median over the first ten hill intervals names
    the initial basin."""

    hill_weight: float
    stride: int
    hill_sigma: float = 0.175
    bias_temperature: float = 8000.0
    prominence: float = 0.02
    depth_in_hills: float = BASIN_DEPTH_IN_HILLS
    check_steps: int = 2000
    trajectory_every: int = 50


@dataclass(frozen=True)
class FirstCrossings:
    """Per replica: the barrier read at the first crossing (eV, NaN where none within
    the run), its hill step (steps, -1 where none), the hills (up to it) centred beyond
    the resolved saddle, the positions of the resolved initial minimum and saddle, and
    the median early CV that named the initial basin (Angstrom)."""

    barrier: np.ndarray
    step: np.ndarray
    hills_beyond_saddle: np.ndarray
    minimum: np.ndarray
    saddle: np.ndarray
    start: np.ndarray

    @property
    def crossed(self) -> np.ndarray:
        """Per replica: whether it crossed within the run."""
        return self.step >= 0


@dataclass(frozen=True)
class BiasEstimate:
    """Systematic error of the first-crossing barrier over the replicas that crossed.

    bias : mean estimate - true barrier (eV); bias_error : its standard error (eV,
    sd / sqrt(crossed)). sd : spread of single estimates (eV, sample standard
    deviation). crossed : replicas that crossed, of ``replicas``. few_hills : fraction
    of crossings decided with <= 2 hills beyond the saddle; median_hills : median
    number of hills beyond it. median_steps : median steps to the crossing.
    start_beyond_top : replicas whose initial basin was named beyond the barrier top
    (they crossed within the first ten hill intervals; the stopping rule then looks
    for a saddle beyond the second basin and never fires)."""

    bias: float
    bias_error: float
    sd: float
    crossed: int
    replicas: int
    few_hills: float
    median_hills: float
    median_steps: float
    start_beyond_top: int


def profile_grid(upper: float) -> np.ndarray:
    """Bin centres (Angstrom) of the bias and profile grid from 0 to ``upper``."""
    return np.arange(0.5 * GRID_SPACING, upper, GRID_SPACING)


class WellTemperedBias:
    """Colvars's well-tempered bias of every replica on a grid of bin centres, and the
    hills deposited so far. Values and slopes are read at the bin of s, zero off the grid."""

    def __init__(self, protocol: Protocol, grid: np.ndarray, replicas: int):
        self.protocol, self.grid = protocol, grid
        self.value = np.zeros((replicas, grid.size))    # eV
        self.slope = np.zeros((replicas, grid.size))    # eV / Angstrom
        self.steps, self.centres, self.heights = [], [], []

    def at(self, table: np.ndarray, s: np.ndarray) -> np.ndarray:
        """Per replica, ``table`` (value or slope) at the bin of s."""
        bins = np.floor(s / GRID_SPACING).astype(int)
        inside = (bins >= 0) & (bins < self.grid.size)
        return np.where(inside, table[np.arange(s.size), np.clip(bins, 0, self.grid.size - 1)], 0.0)

    def force(self, s: np.ndarray) -> np.ndarray:
        """-dV/ds (eV / Angstrom) at s."""
        return -self.at(self.slope, s)

    def deposit(self, step: int, s: np.ndarray) -> None:
        """One hill per replica at s, of height w exp(-V(s) / k_B Delta T)."""
        protocol = self.protocol
        height = protocol.hill_weight * np.exp(-self.at(self.value, s)
                                               / (BOLTZMANN * protocol.bias_temperature))
        offset = self.grid[None, :] - s[:, None]
        hill = height[:, None] * np.exp(-0.5 * (offset / protocol.hill_sigma) ** 2)
        self.value += hill
        self.slope -= hill * offset / protocol.hill_sigma**2
        self.steps.append(step)
        self.centres.append(s.copy())
        self.heights.append(height)

    def hills(self, replicas) -> Iterator[tuple[int, dict]]:
        """For each of ``replicas``: it, and its hills (step, centre and sigma in
        Angstrom, height in eV)."""
        steps, centres, heights = np.array(self.steps), np.array(self.centres), np.array(self.heights)
        sigmas = np.full(steps.size, self.protocol.hill_sigma)
        for replica in replicas:
            yield replica, {"step": steps, "centre": centres[:, replica], "sigma": sigmas,
                            "height": heights[:, replica]}


def first_crossings(well: DoubleWell, dynamics: Langevin, protocol: Protocol, replicas: int,
                    max_steps: int, seed) -> FirstCrossings:
    """Run ``replicas`` independent well-tempered metadynamics runs from the initial
    minimum, at most ``max_steps`` steps, and read each barrier at its first crossing
    with the workflow's stopping rule (checked every ``protocol.check_steps``)."""
    rng = np.random.default_rng(seed)
    bias = WellTemperedBias(protocol, profile_grid(2 * well.top), replicas)
    s = np.full(replicas, well.minimum)
    velocity = rng.normal(0.0, np.sqrt(BOLTZMANN * dynamics.temperature / dynamics.mass), replicas)
    early = {0: s.copy()}    # CV records of the first ten hill intervals
    result = FirstCrossings(barrier=np.full(replicas, np.nan), step=np.full(replicas, -1),
                            hills_beyond_saddle=np.zeros(replicas, dtype=int),
                            minimum=np.full(replicas, np.nan), saddle=np.full(replicas, np.nan),
                            start=np.full(replicas, np.nan))

    def total_force(x):
        return well.force(x) + bias.force(x)

    force, checked = total_force(s), 0
    for step in range(1, max_steps + 1):
        s, velocity, force = langevin_step(s, velocity, force, total_force, dynamics, rng)
        if step % protocol.trajectory_every == 0 and step <= 10 * protocol.stride:
            early[step] = s.copy()
        if step % protocol.stride == 0:
            bias.deposit(step, s)
        if step % protocol.check_steps == 0 or step == max_steps:
            _read_crossings(result, bias, early, dynamics.temperature, checked)
            checked = step
            if result.crossed.all():
                break
    return result


def langevin_step(s, velocity, force, total_force, dynamics: Langevin, rng):
    """One BAOAB step of every replica: half kick, half drift, exact Ornstein-Uhlenbeck
    velocity update, half drift, half kick. s (Angstrom), velocity (Angstrom/ps) and
    the force at s (eV/Angstrom) in, their new values out; ``total_force(s)`` gives
    the force at the new positions."""
    dt = dynamics.timestep
    damping = np.exp(-dynamics.friction * dt)
    thermal = np.sqrt(BOLTZMANN * dynamics.temperature / dynamics.mass)
    velocity = velocity + 0.5 * dt * force / dynamics.mass
    s = s + 0.5 * dt * velocity
    velocity = damping * velocity + thermal * np.sqrt(1 - damping**2) * rng.standard_normal(s.shape)
    s = s + 0.5 * dt * velocity
    force = total_force(s)
    return s, velocity + 0.5 * dt * force / dynamics.mass, force


def _read_crossings(result: FirstCrossings, bias: WellTemperedBias, early: dict,
                    temperature: float, after_step: int) -> None:
    """Apply the workflow's stopping rule to each replica not yet crossed, over its
    hills deposited after ``after_step``; record the crossings found."""
    protocol = bias.protocol
    depth = least_basin_depth(protocol.prominence, protocol.hill_weight, temperature,
                              protocol.bias_temperature, protocol.depth_in_hills)
    early_steps, early_cv = list(early), np.array(list(early.values()))
    for replica, hills in bias.hills(np.flatnonzero(~result.crossed)):
        start = early_median_cv(early_steps, early_cv[:, replica], protocol.stride)
        result.start[replica] = start
        crossing = crossing_of_hills(bias.grid, hills, temperature, protocol.bias_temperature,
                                     depth, start, after_step)
        if crossing is None:
            continue
        step, barrier = crossing
        result.barrier[replica], result.step[replica] = barrier.barrier, step
        result.minimum[replica], result.saddle[replica] = barrier.minimum_position, barrier.saddle_position
        result.hills_beyond_saddle[replica] = np.count_nonzero(
            hills["centre"][hills["step"] <= step] > barrier.saddle_position)


def bias_estimate(crossings: FirstCrossings, well: DoubleWell) -> BiasEstimate:
    """Bias, its standard error and the spread of the first-crossing barrier against
    the true ``well.barrier`` (see BiasEstimate), over the replicas that crossed."""
    crossed = crossings.crossed
    estimates = crossings.barrier[crossed]
    n = estimates.size
    sd = float(np.std(estimates, ddof=1)) if n > 1 else np.nan
    return BiasEstimate(
        bias=float(np.mean(estimates) - well.barrier) if n else np.nan,
        bias_error=sd / np.sqrt(n) if n > 1 else np.nan,
        sd=sd, crossed=n, replicas=crossed.size,
        few_hills=float(np.mean(crossings.hills_beyond_saddle[crossed] <= 2)) if n else np.nan,
        median_hills=float(np.median(crossings.hills_beyond_saddle[crossed])) if n else np.nan,
        median_steps=float(np.median(crossings.step[crossed])) if n else np.nan,
        start_beyond_top=int(np.count_nonzero(crossings.start > well.top)))
