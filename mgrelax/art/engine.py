"""ART nouveau: first-order saddle points next to a minimum of a potential-energy surface.

The activation-relaxation technique nouveau (Barkema & Mousseau 1996; Malek &
Mousseau 2000; Machado-Charry et al., J. Chem. Phys. 135, 034102 (2011), the
Lanczos variant of pARTn). From a minimum, one search

1. pushes a region along a random direction, relaxing perpendicular to the push,
   until the lowest eigenvalue of the Hessian falls below a negative threshold;
2. follows that eigenvector uphill (a Newton step along it, capped) while relaxing
   in the hyperplane perpendicular to it, until the total force vanishes;
3. checks that the point has exactly one negative eigenvalue and relaxes down both
   sides: one side must return to the initial minimum (or, with a
   :class:`NeighbourCheck`, to a near-degenerate neighbour of it that a path connects
   to it), the other is the final one.

Steps 1-2 have a second form (``activation="min_mode"``): from a small random
displacement, fixed steps up the lowest mode alone while its eigenvalue is positive,
which leaves the basin along the softest local direction (as Cances et al., J. Chem.
Phys. 130, 114711 (2009) propose for ART), then L-BFGS on the min-mode effective force
F - 2 (F.v) v of the dimer method (Henkelman & Jonsson 1999; Kaestner & Sherwood,
J. Chem. Phys. 128, 014106 (2008)) once it is negative.

With a frozen far field (ArtSettings.moving_radius; Mousseau's ARTn on Cu-Zr glasses)
only the atoms near the centre move during steps 1-2 until the restricted saddle
converges; steps 1-2 then go on from there with every atom free. A search may make
several attempts (ArtSettings.max_attempts), each along a new random direction.

Eigenpairs come from the Lanczos method on finite-difference Hessian-vector
products (force calls only, no Hessian stored). The engine sees the system only
through an :class:`EnergySurface` (positions in, energy and forces out), so the
same code runs on LAMMPS and on an analytic surface. Positions are (n, d) arrays
that the engine never wraps: displacements are plain differences. Units are the
surface's: Angstrom and eV for LAMMPS in metal units (eigenvalues in eV/A^2).

Given a :class:`mgrelax.jobs.Progress`, a search reports on itself every so often while
it runs: its attempt, stage, force calls, energy above the minimum and lowest eigenvalue.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Protocol

import numpy as np
from scipy.linalg import eigh_tridiagonal

if TYPE_CHECKING:
    from mgrelax.jobs import Progress

SADDLE = "saddle"
"""Status of a search whose saddle's reactant side relaxes to the initial minimum."""
NEIGHBOUR_SADDLE = "neighbour_saddle"
"""Status of a search whose saddle's reactant side relaxes to a minimum near in energy
to the initial one (NeighbourCheck.energy) that a path connects to it."""
ACTIVATIONS = ("push", "min_mode")
"""How a search leaves the basin and approaches the saddle (ArtSettings.activation)."""
PERPENDICULAR_RULES = ("growing", "partn")
"""How the perpendicular relaxation is limited (ArtSettings.perpendicular_rule)."""
MIN_MODE_CLIMBS = ("lbfgs", "art")
"""How min_mode climbs at negative curvature (ArtSettings.min_mode_climb)."""
PARTN_PERPENDICULAR_LIMITS = (4, 8, 12, 16)
"""pARTn's limits on the perpendicular relaxation steps after the first activation steps
out of the basin (nperp_limitation; unlimited after them)."""
UNLIMITED_PERPENDICULAR_STEPS = 200
"""The cap on a perpendicular relaxation that pARTn leaves unlimited."""
PARTN_MODE_TURN, PARTN_PERPENDICULAR_START = 0.8, 0.1
"""pARTn's alignment rule (fperp_min_alignment): no perpendicular relaxation where the
overlap of successive modes is below the first while the cosine between the mode and
the displacement from the start is below the second."""
FAILURES = {
    "no_negative_eigenvalue": "the push never brought the lowest eigenvalue below the threshold",
    "lost_curvature": "the lowest eigenvalue turned positive during the activation",
    "force_blowup": "the forces grew beyond max_force",
    "not_converged": "the force did not fall below the saddle tolerance in max_activation_steps",
    "higher_order_saddle": "a second negative eigenvalue at the converged point",
    "not_connected": "neither side of the saddle relaxes to the initial minimum",
    "spectator_flip": "one side relaxes to the initial minimum on the atoms of the mode "
                      "region but not outside it: the event moved a soft spot elsewhere",
    "same_minimum": "both sides of the saddle relax to the initial minimum",
}
"""Failure statuses of a search and what they mean."""
FIRST_ORDER = (SADDLE, NEIGHBOUR_SADDLE, "same_minimum", "spectator_flip", "not_connected")
"""Statuses of the searches whose converged point has exactly one negative eigenvalue
(a first-order saddle), connected to the initial minimum or not."""
LEVELS = {
    "first_order": "converged to a point with exactly one negative Hessian eigenvalue, "
                   "connected to the initial minimum or not",
    "metabasin": "first_order, and the saddle's reactant side relaxes to the initial minimum "
                 "or to a minimum at most art.metabasin.energy above it that a climbing-image "
                 "NEB connects to it",
    "strict": "first_order, and the saddle's reactant side relaxes to the initial minimum "
              "(no atom off by same_minimum_distance once the rigid translation is removed, "
              "energy within same_minimum_energy)",
}
"""The three levels of success of a search, each containing the next."""
LEVEL_STATUSES = {"first_order": FIRST_ORDER, "metabasin": (SADDLE, NEIGHBOUR_SADDLE),
                  "strict": (SADDLE,)}
"""The statuses that reach each level (a same_minimum saddle leads nowhere: first_order only)."""
FORCE_CALL_COUNTS = ("force_calls", "verification_force_calls", "neb_force_calls")
"""The fields of an Event that count its force calls, each of a part of the search."""
LOGGER = logging.getLogger(__name__)
DESCENT_START_FACTOR = 0.01
"""Angstrom^2/eV: the first steepest-descent step off a saddle, per unit force."""
FIRE_TIMESTEP, FIRE_MAX_TIMESTEP = 0.1, 1.0
FIRE_MIXING, FIRE_DELAY = 0.1, 5
"""FIRE's initial and largest time step, initial velocity mixing, and the number of
downhill steps before the time step grows (Bitzek et al. 2006)."""
LBFGS_MEMORY = 10
"""Position and force changes that the min-mode search's L-BFGS keeps."""
LBFGS_INVERSE_CURVATURE = 0.02
"""Angstrom^2/eV: L-BFGS's step per unit force while it has no curvature estimate."""


def search_levels(status: str) -> dict[str, bool]:
    """Whether a search that ended with ``status`` reaches each of LEVELS."""
    return {level: status in statuses for level, statuses in LEVEL_STATUSES.items()}


class EnergySurface(Protocol):
    """What the engine needs of a system: energy and forces at given positions.

    ``translation_invariant``: a rigid translation leaves the energy unchanged (a
    periodic system); the engine then removes it from every direction it uses.
    """

    translation_invariant: bool

    def energy_forces(self, positions: np.ndarray) -> tuple[float, np.ndarray]:
        """Energy and forces (same shape as ``positions``) at ``positions``."""


@dataclass(frozen=True)
class ArtSettings:
    """Thresholds and step sizes of a search (lengths in A, energies in eV)."""

    activation: str = "push"
    """"push": ART nouveau's pushes along the random direction until the lowest eigenvalue
    is below eigenvalue_threshold, then Newton steps along the mode with perpendicular
    relaxation; "min_mode": initial_displacement along it, then steps up the lowest mode
    while its eigenvalue is positive and L-BFGS on the min-mode effective force once it
    is negative (see the module docstring)."""
    initial_displacement: float = 0.3
    """min_mode: length of the random displacement of the pushed atoms."""
    uphill_force: float = 0.5
    """eV/A, min_mode: while the lowest eigenvalue is positive, each step goes up the mode
    against the force along it, or away from the minimum where that force is below this."""
    push_step: float = 0.1
    """Length of each push along the initial random direction."""
    push_relaxation_steps: int = 2
    """Relaxation steps perpendicular to the push after each push."""
    max_push_steps: int = 30
    eigenvalue_threshold: float = -0.05
    """eV/A^2: the basin is left once the lowest eigenvalue is below this (min_mode: the
    steps up the mode go on until then, the climb at negative curvature starts there)."""
    lanczos_displacement: float = 0.01
    """Finite-difference displacement of the Hessian-vector products."""
    lanczos_max_iterations: int = 16
    lanczos_tolerance: float = 0.01
    """Relative change of the lowest Ritz value that ends a Lanczos run."""
    eigen_step: float = 0.15
    """push: largest step along the eigenvector in one activation step; min_mode: the
    step up the lowest mode while its eigenvalue is positive."""
    perpendicular_steps: int = 4
    """Largest number of relaxation steps perpendicular to the eigenvector per activation
    step (perpendicular_rule "growing")."""
    perpendicular_rule: str = "growing"
    """How the relaxation perpendicular to the mode is limited after each step along it,
    once the basin is left: "growing": from 1 to perpendicular_steps steps over the first
    activation steps; "partn": pARTn's limits (PARTN_PERPENDICULAR_LIMITS, then unlimited)
    and stop rules: it stops once the largest perpendicular force component is below the
    largest parallel one, and is left out where the mode turns suddenly while the
    displacement from the start is perpendicular to it (PARTN_MODE_TURN)."""
    min_mode_climb: str = "lbfgs"
    """min_mode, once the basin is left: "lbfgs": L-BFGS on the effective force
    F - 2 (F.v) v; "art": ART nouveau's Newton steps along the mode with relaxation
    perpendicular to it (perpendicular_rule), as the push activation does."""
    convex_perpendicular_steps: int = 0
    """Relaxation steps perpendicular to the mode after each step up it at positive
    curvature (a partial relaxation, as eOn's perp_force_ratio mixes part of the
    perpendicular force in); 0: none."""
    moving_radius: float = 0.0
    """A: during the activation only the atoms within this distance of the centre move
    (the far field is frozen, as in Mousseau's ARTn on Cu-Zr glasses) until the restricted
    saddle converges, then the activation goes on with every atom free to the saddle;
    0: every atom moves throughout."""
    max_activation_steps: int = 300
    max_convex_steps: int = 10
    """Activation steps in a row with a non-negative lowest eigenvalue (each a plain step
    uphill along the last mode, without relaxation) before the search gives up."""
    end_at_curvature_loss: int = 0
    """End the attempt (lost_curvature) at this loss of the negative curvature once the
    basin was left (the lowest eigenvalue fell below eigenvalue_threshold and is
    non-negative again): 1 as pARTn and the LAMMPS ARTn; 0: never (the push activation
    still gives up after max_convex_steps). With max_attempts > 1 the next attempt pushes
    along a new direction."""
    saddle_force_tolerance: float = 0.01
    """eV/A: the saddle is converged when the total force (2-norm) is below this."""
    higher_order_tolerance: float = 0.01
    """eV/A^2: a second eigenvalue below minus this makes a higher-order saddle."""
    push_over: float = 0.2
    """Displacement along the eigenvector off the saddle before relaxing to each side."""
    minimum_force_tolerance: float = 1e-3
    """eV/A: largest force component at a minimum."""
    max_minimisation_steps: int = 5000
    max_atom_step: float = 0.1
    """Largest move of one atom in one relaxation step."""
    descent_atom_step: float = 0.02
    """Largest move of one atom in one steepest-descent step off the saddle."""
    descent_force: float = 0.05
    """eV/A: the descent off the saddle hands over to FIRE once no atom's force exceeds this."""
    same_minimum_distance: float = 0.1
    """Two minima are the same if no atom differs by more than this ..."""
    same_minimum_energy: float = 1e-3
    """... and their energies differ by less than this (eV)."""
    participation_threshold: float = 0.1
    """An atom takes part in an event if it moved more than this from the initial minimum to the saddle."""
    max_force: float = 100.0
    """eV/A: a force component beyond this is a blow-up."""
    max_attempts: int = 1
    """Attempts per call of find_saddle: after one short of the metabasin level the next
    starts from the minimum along a new random direction on the same atoms (the search
    keeps the first attempt at the metabasin level, else its first first-order saddle)."""

    def __post_init__(self):
        for key, allowed in (("activation", ACTIVATIONS),
                             ("perpendicular_rule", PERPENDICULAR_RULES),
                             ("min_mode_climb", MIN_MODE_CLIMBS)):
            if getattr(self, key) not in allowed:
                raise ValueError(f"{key} = {getattr(self, key)!r}: one of {', '.join(allowed)}")


@dataclass
class Point:
    """A configuration with its energy and forces."""

    positions: np.ndarray
    energy: float
    forces: np.ndarray


@dataclass(frozen=True)
class Mode:
    """An eigenpair of the Hessian: eigenvalue (eV/A^2) and unit eigenvector."""

    eigenvalue: float
    vector: np.ndarray


@dataclass
class Event:
    """The outcome of one search: a verified saddle, or the failure and why.

    Energies in eV, eigenvalues in eV/A^2, lengths in A; ``force_calls`` counts the
    calls until the saddle converged (push and activation, with every call of the
    failed attempts before it and of the attempts after it that did no better, see
    find_saddle), ``verification_force_calls`` those of the eigenvalue
    check and the two relaxations, ``neb_force_calls`` those of the path to a neighbour;
    ``attempts``: the searches made (ArtSettings.max_attempts). The ``neighbour_``
    fields describe the near-degenerate minimum a side of the saddle relaxed to, where a
    NeighbourCheck ran: its energy, the top of the path from the initial minimum to it
    (``neighbour_barrier``, above the initial energy), the 2-norm of the displacement
    between the two minima (rigid translation removed) and whether the path converged.
    """

    status: str
    reason: str = ""
    initial_energy: float = np.nan
    saddle_energy: float = np.nan
    final_energy: float = np.nan
    eigenvalue: float = np.nan
    second_eigenvalue: float = np.nan
    saddle_force: float = np.nan
    force_calls: int = 0
    verification_force_calls: int = 0
    push_steps: int = 0
    activation_steps: int = 0
    attempts: int = 0
    participation: int = 0
    region_displacement: float = np.nan
    max_displacement: float = np.nan
    neighbour_energy: float = np.nan
    neighbour_barrier: float = np.nan
    neighbour_distance: float = np.nan
    neighbour_connected: bool = False
    neb_force_calls: int = 0
    saddle: np.ndarray | None = field(default=None, repr=False)
    final: np.ndarray | None = field(default=None, repr=False)

    @property
    def total_force_calls(self) -> int:
        """Every force call of the search: to the saddle, of the verification and of the
        path to a neighbour."""
        return sum(getattr(self, name) for name in FORCE_CALL_COUNTS)

    @property
    def activation_energy(self) -> float:
        """Highest energy along the path from the initial minimum to the saddle, minus the
        initial energy (eV): the saddle's, or for a NEIGHBOUR_SADDLE the top of the path
        to the neighbour where that is higher."""
        saddle = self.saddle_energy - self.initial_energy
        return max(saddle, self.neighbour_barrier) if self.status == NEIGHBOUR_SADDLE \
            else saddle

    @property
    def asymmetry(self) -> float:
        """Final minus initial energy (eV)."""
        return self.final_energy - self.initial_energy


@dataclass(frozen=True)
class Connection:
    """A path between two minima: its highest energy above the first minimum's (eV),
    whether it converged, and its iterations."""

    barrier: float
    converged: bool
    iterations: int


class NeighbourCheck(Protocol):
    """Whether a minimum within ``energy`` (eV) of the initial one connects to it."""

    energy: float

    def __call__(self, evaluate: CountingSurface, start: Point, neighbour: Point,
                 settings: ArtSettings) -> Connection:
        """The path from ``start`` to ``neighbour`` (force calls through ``evaluate``)."""


class SearchFailed(Exception):
    """A search ended without a verified saddle; ``status`` is one of FAILURES."""

    def __init__(self, status: str, detail: str = ""):
        super().__init__(f"{FAILURES[status]}{': ' + detail if detail else ''}")
        self.status = status


class CountingSurface:
    """An energy surface that counts its calls and refuses non-finite or huge forces;
    ``on_call`` (None: nothing) is handed each point evaluated (a progress report)."""

    def __init__(self, surface: EnergySurface, max_force: float,
                 on_call: Callable[[Point], None] | None = None):
        self.surface = surface
        self.max_force = max_force
        self.on_call = on_call
        self.calls = 0

    def __call__(self, positions: np.ndarray) -> Point:
        """Energy and forces at ``positions``; a blow-up raises SearchFailed."""
        self.calls += 1
        energy, forces = self.surface.energy_forces(positions)
        if not (np.isfinite(energy) and np.all(np.abs(forces) <= self.max_force)):
            raise SearchFailed("force_blowup", f"energy {energy}, largest force component "
                                               f"{np.nanmax(np.abs(forces)):.3g}")
        point = Point(positions, float(energy), forces)
        if self.on_call is not None:
            self.on_call(point)
        return point

    def project(self, vector: np.ndarray) -> np.ndarray:
        """``vector`` without its rigid translation, where the surface has that symmetry."""
        return vector - vector.mean(axis=0) if self.surface.translation_invariant else vector


def unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


def perpendicular(vector: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """The part of ``vector`` perpendicular to the unit ``direction``."""
    return vector - np.vdot(vector, direction) * direction


def capped(move: np.ndarray, max_atom_step: float) -> np.ndarray:
    """``move`` scaled down, if needed, so that no atom moves more than ``max_atom_step``."""
    largest = np.max(np.linalg.norm(move, axis=-1))
    return move * (max_atom_step / largest) if largest > max_atom_step else move


def mode_space(evaluate: CountingSurface, region: np.ndarray | None
               ) -> Callable[[np.ndarray], np.ndarray]:
    """Projection onto the space a mode is sought in: the atoms of ``region`` (a mask
    over atoms), or all of them less the rigid translation (``region`` None)."""
    if region is None:
        return evaluate.project
    weights = np.asarray(region, dtype=float)[:, None]
    return lambda vector: vector * weights


def hessian_product(evaluate: CountingSurface, point: Point, displacement: float,
                    space: Callable[[np.ndarray], np.ndarray]
                    ) -> Callable[[np.ndarray], np.ndarray]:
    """H q at ``point``, projected onto ``space``, by a forward difference of the forces
    (one force call per product)."""

    def product(direction: np.ndarray) -> np.ndarray:
        displaced = evaluate(point.positions + displacement * direction)
        return space(-(displaced.forces - point.forces) / displacement)

    return product


def lanczos_lowest(product: Callable[[np.ndarray], np.ndarray], start: np.ndarray,
                   tolerance: float, max_iterations: int) -> Mode:
    """Lowest eigenpair of a symmetric operator known only through ``product``.

    Lanczos with full reorthogonalisation, stopped once the lowest Ritz value
    changes by less than ``tolerance`` (relative) between iterations. Written here
    rather than taken from ARPACK (scipy.sparse.linalg.eigsh) because each product
    costs a force call: eigsh builds a Krylov space of at least 20 vectors before
    it checks convergence, where a warm start here converges in 2-4 products.
    """
    basis, diagonal, off_diagonal = [unit(start)], [], []
    ritz_value, previous = np.nan, None
    for _ in range(max_iterations):
        image = product(basis[-1])
        diagonal.append(float(np.vdot(basis[-1], image)))
        values, vectors = eigh_tridiagonal(np.array(diagonal), np.array(off_diagonal),
                                           select="i", select_range=(0, 0))
        ritz_value, ritz_coefficients = float(values[0]), vectors[:, 0]
        if previous is not None and abs(ritz_value - previous) <= tolerance * abs(ritz_value):
            break
        previous = ritz_value
        for vector in basis:
            image = image - np.vdot(vector, image) * vector
        norm = float(np.linalg.norm(image))
        if norm <= 1e-12 * max(1.0, abs(ritz_value)):
            break  # the Krylov space is invariant: the Ritz pair is exact
        off_diagonal.append(norm)
        basis.append(image / norm)
    vector = sum(c * b for c, b in zip(ritz_coefficients, basis))
    return Mode(ritz_value, unit(vector))


def lowest_mode(evaluate: CountingSurface, point: Point, start: np.ndarray,
                settings: ArtSettings, region: np.ndarray | None = None,
                tolerance: float | None = None, max_iterations: int | None = None) -> Mode:
    """Lowest eigenpair at ``point`` of the Hessian restricted to the atoms of ``region``
    (all atoms if None), by Lanczos from ``start``."""
    space = mode_space(evaluate, region)
    product = hessian_product(evaluate, point, settings.lanczos_displacement, space)
    return lanczos_lowest(product, space(start),
                          settings.lanczos_tolerance if tolerance is None else tolerance,
                          settings.lanczos_max_iterations if max_iterations is None
                          else max_iterations)


def second_eigenvalue(evaluate: CountingSurface, point: Point, lowest: Mode,
                      settings: ArtSettings, rng: np.random.Generator) -> float:
    """Second-lowest Hessian eigenvalue: the lowest of H + c v v^T, with the lowest
    mode v lifted by c above the spectrum's low end."""
    product = hessian_product(evaluate, point, settings.lanczos_displacement, evaluate.project)
    lift = 2.0 * abs(lowest.eigenvalue) + 1.0

    def deflated(direction: np.ndarray) -> np.ndarray:
        return product(direction) + lift * np.vdot(lowest.vector, direction) * lowest.vector

    start = perpendicular(evaluate.project(rng.normal(size=lowest.vector.shape)), lowest.vector)
    mode = lanczos_lowest(deflated, start, settings.lanczos_tolerance / 10,
                          4 * settings.lanczos_max_iterations)
    return mode.eigenvalue


class PerpendicularRelaxation:
    """Steepest descent in the hyperplane perpendicular to a direction, on the atoms that
    the projection ``free`` leaves, with Barzilai-Borwein step sizes (A^2/eV) carried from
    one call to the next."""

    def __init__(self, evaluate: CountingSurface, settings: ArtSettings,
                 free: Callable[[np.ndarray], np.ndarray], step_size: float = 0.01):
        self.evaluate = evaluate
        self.settings = settings
        self.free = free
        self.step_size = step_size

    def effective_force(self, point: Point, direction: np.ndarray) -> np.ndarray:
        return self.free(perpendicular(point.forces, direction))

    def __call__(self, point: Point, direction: np.ndarray, steps: int, tolerance: float,
                 parallel_rule: bool = False) -> Point:
        """At most ``steps`` steps, until the perpendicular force (2-norm) is below
        ``tolerance``; with ``parallel_rule`` (pARTn's) also, after the first step, once
        its largest component is below the largest component of the force along
        ``direction``."""
        force = self.effective_force(point, direction)
        for step in range(steps):
            if np.linalg.norm(force) < tolerance or (
                    parallel_rule and step > 0 and np.max(np.abs(force))
                    < np.max(np.abs(np.vdot(point.forces, direction) * direction))):
                break
            move = capped(self.step_size * force, self.settings.max_atom_step)
            point = self.evaluate(point.positions + move)
            new_force = self.effective_force(point, direction)
            curvature = -np.vdot(move, new_force - force)
            if np.linalg.norm(new_force) > np.linalg.norm(force):
                self.step_size /= 2  # overshot: the Barzilai-Borwein guess was too long
            elif curvature > 0:
                self.step_size = float(np.clip(np.vdot(move, move) / curvature, 1e-4, 1.0))
            force = new_force
        return point


class Fire:
    """FIRE damped dynamics (Bitzek et al., PRL 97, 170201 (2006)) as a sequence of moves:
    unit masses, time in A/sqrt(eV/A); no atom moves more than ``max_atom_step`` per step."""

    def __init__(self, max_atom_step: float):
        self.max_atom_step = max_atom_step
        self.velocity = None
        self.timestep, self.mixing, self.downhill_steps = FIRE_TIMESTEP, FIRE_MIXING, 0

    def move(self, forces: np.ndarray) -> np.ndarray:
        """The displacement of the next step under ``forces`` (possibly effective ones)."""
        if self.velocity is None:
            self.velocity = np.zeros_like(forces)
        if np.vdot(forces, self.velocity) > 0:
            self.velocity = ((1 - self.mixing) * self.velocity
                             + self.mixing * np.linalg.norm(self.velocity) * unit(forces))
            self.downhill_steps += 1
            if self.downhill_steps > FIRE_DELAY:
                self.timestep = min(self.timestep * 1.1, FIRE_MAX_TIMESTEP)
                self.mixing *= 0.99
        else:
            self.velocity = np.zeros_like(forces)
            self.timestep, self.mixing, self.downhill_steps = self.timestep / 2, FIRE_MIXING, 0
        self.velocity = self.velocity + self.timestep * forces
        return capped(self.timestep * self.velocity, self.max_atom_step)


class Lbfgs:
    """Limited-memory BFGS moves (Nocedal 1980) under a force that need not be a
    gradient, such as the min-mode effective force: the last LBFGS_MEMORY position and
    force changes make the inverse Hessian (A^2/eV). A pair with non-positive curvature,
    or a move that would not go along the force, empties the memory; no atom moves more
    than ``max_atom_step`` per step."""

    def __init__(self, max_atom_step: float):
        self.max_atom_step = max_atom_step
        self.pairs: list[tuple[np.ndarray, np.ndarray]] = []
        self.previous: tuple[np.ndarray, np.ndarray] | None = None

    def reset(self) -> None:
        """Forget the curvature (the force field has changed)."""
        self.pairs, self.previous = [], None

    def move(self, positions: np.ndarray, forces: np.ndarray) -> np.ndarray:
        """The displacement of the next step from ``positions`` under ``forces``."""
        if self.previous is not None:
            step, change = positions - self.previous[0], self.previous[1] - forces
            if np.vdot(step, change) > 0:
                self.pairs = (self.pairs + [(step, change)])[-LBFGS_MEMORY:]
            else:
                self.pairs = []
        self.previous = (positions, forces)
        move = self.inverse_hessian_times(forces)
        if np.vdot(move, forces) <= 0:
            self.pairs, move = [], LBFGS_INVERSE_CURVATURE * forces
        return capped(move, self.max_atom_step)

    def inverse_hessian_times(self, forces: np.ndarray) -> np.ndarray:
        """The inverse Hessian model times ``forces``, by the two-loop recursion."""
        vector, alphas = forces, []
        for step, change in reversed(self.pairs):
            alpha = np.vdot(step, vector) / np.vdot(step, change)
            vector = vector - alpha * change
            alphas.append(alpha)
        if self.pairs:
            step, change = self.pairs[-1]
            vector = vector * (np.vdot(step, change) / np.vdot(change, change))
        else:
            vector = vector * LBFGS_INVERSE_CURVATURE
        for (step, change), alpha in zip(self.pairs, reversed(alphas)):
            vector = vector + (alpha - np.vdot(change, vector) / np.vdot(step, change)) * step
        return vector


def largest_atom_force(forces: np.ndarray) -> float:
    """The largest force on one atom of ``forces`` (n, d) (eV/A)."""
    return float(np.max(np.linalg.norm(forces, axis=-1)))


def minimise(evaluate: CountingSurface, positions: np.ndarray, settings: ArtSettings) -> Point:
    """Local minimum from ``positions`` by FIRE, until no atom's force exceeds
    minimum_force_tolerance.

    Damped dynamics rather than scipy's L-BFGS: its line search may jump across a
    shallow basin (seen on the Mueller-Brown surface), so the relaxation from a saddle
    would not follow the descent path and land in a basin the saddle does not lead to.
    """
    point = evaluate(np.array(positions, dtype=float))
    fire = Fire(settings.max_atom_step)
    for _ in range(settings.max_minimisation_steps):
        forces = evaluate.project(point.forces)
        if largest_atom_force(forces) < settings.minimum_force_tolerance:
            break
        point = evaluate(point.positions + fire.move(forces))
    return point


def descend(evaluate: CountingSurface, positions: np.ndarray, settings: ArtSettings) -> Point:
    """The minimum that the steepest-descent path from ``positions`` leads to.

    Monotone steps along the force (no atom moving more than descent_atom_step; the
    step grows by 1.2 after a step down and halves after a step up) until no atom's
    force exceeds descent_force, then FIRE (:func:`minimise`) to the minimum. FIRE alone
    from near a saddle can carry its momentum over a small ridge into a neighbouring
    basin (seen on the Cu-Zr glass: 7 meV higher, 6 atoms moved by up to 0.4 A), so the
    connection test would reject a saddle that does lead back to the start.
    """
    point, factor = evaluate(np.array(positions, dtype=float)), DESCENT_START_FACTOR
    for _ in range(settings.max_minimisation_steps):
        forces = evaluate.project(point.forces)
        if largest_atom_force(forces) < settings.descent_force:
            break
        trial = evaluate(point.positions + capped(factor * forces, settings.descent_atom_step))
        if trial.energy <= point.energy:
            point, factor = trial, min(factor * 1.2, 1.0)
        else:
            factor /= 2
    return minimise(evaluate, point.positions, settings)


def moved_atoms(a: Point, b: Point, settings: ArtSettings) -> np.ndarray:
    """Mask of the atoms whose positions in two configurations differ by
    same_minimum_distance or more."""
    return np.linalg.norm(a.positions - b.positions, axis=-1) >= settings.same_minimum_distance


def same_minimum(a: Point, b: Point, settings: ArtSettings) -> bool:
    """Whether two relaxed configurations are the same minimum (positions and energy)."""
    return (not np.any(moved_atoms(a, b, settings))
            and abs(a.energy - b.energy) < settings.same_minimum_energy)


def spectator_atoms(a: Point, b: Point, region: np.ndarray, settings: ArtSettings) -> int:
    """Atoms outside ``region`` (a mask) that moved (:func:`moved_atoms`) between two
    configurations whose atoms of ``region`` did not; 0 where an atom of ``region`` moved."""
    moved = moved_atoms(a, b, settings)
    return 0 if np.any(moved[region]) else int(np.count_nonzero(moved))


def random_push_direction(rng: np.random.Generator, shape: tuple, region: np.ndarray
                          ) -> np.ndarray:
    """A random unit direction (Gaussian components) on the atoms of ``region`` (a mask)."""
    direction = np.zeros(shape)
    direction[region] = rng.normal(size=(np.count_nonzero(region), shape[-1]))
    return unit(direction)


class SaddleSearch:
    """One search from a minimum: the surface, the settings, the atoms the mode is sought
    on (``region``, a mask; None: all), the atoms that move during the activation
    (``moving``, a mask; None: all) and the state shared by its phases; with a
    ``progress``, the attempt, the stage and the lowest eigenvalue last found are
    reported (:meth:`report`) after the force calls."""

    def __init__(self, surface: EnergySurface, minimum_positions: np.ndarray,
                 settings: ArtSettings, region: np.ndarray | None = None,
                 neighbours: NeighbourCheck | None = None, moving: np.ndarray | None = None,
                 progress: Progress | None = None):
        self.evaluate = CountingSurface(surface, settings.max_force)
        self.settings = settings
        self.region = region
        self.neighbours = neighbours
        self.moving_region = moving
        self.moving = moving
        self.relax = PerpendicularRelaxation(self.evaluate, settings, self.free)
        self.minimum = self.evaluate(np.array(minimum_positions, dtype=float))
        self.progress = progress
        self.begin_attempt(1)
        if progress is not None:
            self.evaluate.on_call = self.report

    def begin_attempt(self, attempt: int) -> None:
        """What the progress lines say at the start of attempt ``attempt``."""
        self.attempt, self.stage, self.eigenvalue = attempt, "activation", np.nan

    def report(self, point: Point) -> None:
        """A progress line (at most one per progress.every seconds): attempt, stage, force
        calls, the energy of ``point`` above the minimum (eV) and the lowest eigenvalue
        last found (eV/A^2)."""
        self.progress.update(lambda: (
            f"attempt {self.attempt}, {self.stage}, {self.evaluate.calls} force calls, energy "
            f"{point.energy - self.minimum.energy:+.4f} eV above the minimum, lowest "
            f"eigenvalue {self.eigenvalue:.4g} eV/A^2"))

    def free(self, vector: np.ndarray) -> np.ndarray:
        """``vector`` on the atoms that move now: those of self.moving (the far field
        frozen), or all of them less the rigid translation."""
        if self.moving is None:
            return self.evaluate.project(vector)
        return vector * self.moving[:, None]

    def mode(self, point: Point, start: np.ndarray) -> Mode:
        """The lowest mode on the atoms of the region that move now."""
        masks = [mask for mask in (self.region, self.moving) if mask is not None]
        return lowest_mode(self.evaluate, point, start, self.settings,
                           np.logical_and.reduce(masks) if masks else None)

    def leave_basin(self, push: np.ndarray) -> tuple[Point, Mode, int]:
        """Push along ``push`` (relaxing perpendicular to it) until the lowest eigenvalue
        is below the threshold; returns the point, its lowest mode and the pushes made."""
        settings, point, start = self.settings, self.minimum, push
        for pushes in range(1, settings.max_push_steps + 1):
            point = self.evaluate(point.positions + settings.push_step * push)
            point = self.relax(point, push, settings.push_relaxation_steps,
                               settings.saddle_force_tolerance)
            mode = self.mode(point, start)
            self.log("push", pushes, point, mode)
            if mode.eigenvalue < settings.eigenvalue_threshold:
                return point, mode, pushes
            start = mode.vector
        raise SearchFailed("no_negative_eigenvalue",
                           f"lowest eigenvalue {mode.eigenvalue:.4g} after {pushes} pushes")

    def perpendicular_limit(self, step: int, point: Point, direction: np.ndarray,
                            overlap: float) -> int:
        """Relaxation steps allowed after activation step ``step`` out of the basin, at
        ``point``, after a step along ``direction`` whose mode overlaps the previous one
        by ``overlap``. pARTn's rule adds: none where the mode has turned suddenly
        (overlap below PARTN_MODE_TURN) while the displacement from the start is
        perpendicular to it (cosine below PARTN_PERPENDICULAR_START)."""
        if self.settings.perpendicular_rule == "growing":
            return min(step + 1, self.settings.perpendicular_steps)
        away = unit(point.positions - self.minimum.positions)
        if overlap < PARTN_MODE_TURN and abs(np.vdot(away, direction)) < PARTN_PERPENDICULAR_START:
            return 0
        limits = PARTN_PERPENDICULAR_LIMITS
        return limits[step] if step < len(limits) else UNLIMITED_PERPENDICULAR_STEPS

    def converge(self, point: Point, mode: Mode, max_steps: int) -> tuple[Point, Mode, int]:
        """Follow the lowest mode uphill, relaxing perpendicular to it, until the total
        force is below the saddle tolerance (at most ``max_steps`` steps); returns the
        saddle, its mode, the steps.

        The perpendicular relaxation is limited by perpendicular_rule (it grows over the
        first steps, as pARTn limits it), so that it does not pull the system back into
        the basin it has just left; where the curvature turns positive the search steps
        uphill along the last mode (with convex_perpendicular_steps of relaxation) for
        max_convex_steps."""
        settings, convex_steps, losses = self.settings, 0, 0
        uphill = point.positions - self.minimum.positions
        partn = settings.perpendicular_rule == "partn"
        for step in range(max_steps):
            previous = mode.vector
            if step > 0:
                mode = self.mode(point, mode.vector)
            direction = mode.vector if np.vdot(mode.vector, uphill) >= 0 else -mode.vector
            uphill = direction  # the next mode keeps this orientation
            self.log("activation", step, point, mode)
            if mode.eigenvalue < 0:
                convex_steps = 0
                if np.linalg.norm(self.free(point.forces)) < settings.saddle_force_tolerance:
                    return point, Mode(mode.eigenvalue, direction), step
                # Newton step to the maximum along the mode, at most eigen_step.
                length = float(np.clip(np.vdot(point.forces, direction) / mode.eigenvalue,
                                       -settings.eigen_step, settings.eigen_step))
            else:
                convex_steps += 1
                losses += convex_steps == 1
                if convex_steps >= settings.max_convex_steps \
                        or losses == settings.end_at_curvature_loss:
                    raise SearchFailed("lost_curvature", f"eigenvalue {mode.eigenvalue:.4g}")
                length = settings.eigen_step
            overlap = abs(np.vdot(previous, mode.vector))
            point = self.evaluate(point.positions + length * direction)
            if convex_steps == 0:
                point = self.relax(point, direction,
                                   self.perpendicular_limit(step, point, direction, overlap),
                                   settings.saddle_force_tolerance / 2, partn)
            else:
                point = self.relax(point, direction, settings.convex_perpendicular_steps,
                                   settings.saddle_force_tolerance / 2)
        raise SearchFailed("not_converged", f"total force {np.linalg.norm(point.forces):.3g}")

    def follow_lowest_mode(self, point: Point, start: np.ndarray, left_basin: bool = False
                           ) -> tuple[Point, Mode, int]:
        """The min_mode activation from ``point`` (the lowest mode sought from ``start``):
        steps of eigen_step up the lowest mode (each followed by
        convex_perpendicular_steps of relaxation perpendicular to it) while its eigenvalue
        is above eigenvalue_threshold, or after the basin was left while it is positive;
        at negative curvature the min_mode_climb (L-BFGS on the effective force
        F - 2 (F.v) v, or ART's converge), until the total force is below the saddle
        tolerance there; returns the saddle, its mode and the steps. L-BFGS forgets its
        curvature where the eigenvalue changes sign (the effective force is then another
        field). With end_at_curvature_loss the attempt ends at that loss of the negative
        curvature after the basin was left."""
        settings = self.settings
        mode, lbfgs, was_convex = self.mode(point, start), Lbfgs(settings.max_atom_step), None
        losses = 0
        for step in range(settings.max_activation_steps):
            if step > 0:
                mode = self.mode(point, mode.vector)
            self.log("min-mode", step, point, mode)
            forces = self.free(point.forces)
            convex = mode.eigenvalue >= (0.0 if left_basin else settings.eigenvalue_threshold)
            losses += convex and left_basin and was_convex is False
            if losses and losses == settings.end_at_curvature_loss:
                raise SearchFailed("lost_curvature", f"eigenvalue {mode.eigenvalue:.4g} at loss "
                                                     f"{losses} after the basin was left")
            left_basin = left_basin or not convex
            if mode.eigenvalue < 0 and np.linalg.norm(forces) < settings.saddle_force_tolerance:
                return point, mode, step
            if not convex and settings.min_mode_climb == "art":
                saddle, mode, steps = self.converge(point, mode,
                                                    settings.max_activation_steps - step)
                return saddle, mode, step + steps
            if convex != was_convex:
                lbfgs.reset()
                was_convex = convex
            if convex:
                move = capped(settings.eigen_step * self.uphill(point, forces, mode),
                              settings.max_atom_step)
                point = self.relax(self.evaluate(point.positions + move), mode.vector,
                                   settings.convex_perpendicular_steps,
                                   settings.saddle_force_tolerance / 2)
            else:
                effective = forces - 2 * np.vdot(forces, mode.vector) * mode.vector
                move = lbfgs.move(point.positions, self.free(effective))
                point = self.evaluate(point.positions + move)
        raise SearchFailed("not_converged", f"total force {np.linalg.norm(point.forces):.3g}")

    def uphill(self, point: Point, forces: np.ndarray, mode: Mode) -> np.ndarray:
        """The unit step direction at positive curvature: up the lowest mode, against the
        force along it, or away from the minimum where that force is below uphill_force."""
        along = np.vdot(forces, mode.vector)
        if abs(along) >= self.settings.uphill_force:
            sign = -np.sign(along)
        else:
            sign = np.sign(np.vdot(mode.vector, point.positions - self.minimum.positions)) or 1.0
        return unit(self.free(sign * mode.vector))

    def activate(self, push: np.ndarray, event: Event) -> tuple[Point, Mode]:
        """From the minimum to a converged saddle by settings.activation; counts into
        ``event``. With a frozen far field (self.moving_region) the activation converges
        on the moving atoms first, then goes on from there with every atom free."""
        settings, min_mode = self.settings, self.settings.activation == "min_mode"
        self.moving = self.moving_region
        if min_mode:
            point = self.evaluate(self.minimum.positions + settings.initial_displacement * push)
            saddle, mode, steps = self.follow_lowest_mode(point, push)
            event.push_steps = 1
        else:
            point, mode, event.push_steps = self.leave_basin(push)
            saddle, mode, steps = self.converge(point, mode, settings.max_activation_steps)
        if self.moving is not None:
            self.moving = None
            saddle, mode, free_steps = (
                self.follow_lowest_mode(saddle, mode.vector, left_basin=True) if min_mode
                else self.converge(saddle, mode, settings.max_activation_steps))
            steps += free_steps
        event.activation_steps = steps
        return saddle, mode

    def verify(self, saddle: Point, mode: Mode, event: Event, seed: int) -> Mode:
        """Lowest and second eigenvalue over all atoms: exactly one negative."""
        settings = self.settings
        self.stage = "verification of the saddle"
        mode = lowest_mode(self.evaluate, saddle, mode.vector, settings,
                           tolerance=settings.lanczos_tolerance / 10,
                           max_iterations=4 * settings.lanczos_max_iterations)
        event.eigenvalue = self.eigenvalue = mode.eigenvalue
        if mode.eigenvalue >= 0:
            raise SearchFailed("lost_curvature", f"eigenvalue {mode.eigenvalue:.4g} at the "
                                                 "converged point")
        event.second_eigenvalue = second_eigenvalue(self.evaluate, saddle, mode, settings,
                                                    np.random.default_rng(seed))
        if event.second_eigenvalue < -settings.higher_order_tolerance:
            raise SearchFailed("higher_order_saddle",
                               f"second eigenvalue {event.second_eigenvalue:.4g}")
        return mode

    def relax_both_sides(self, saddle: Point, mode: Mode, event: Event) -> Point:
        """The final minimum: relax from both sides of the saddle; one side must return
        to the initial minimum (the saddle connects to it), or else to a neighbour that
        self.neighbours connects to it (``event`` becomes a NEIGHBOUR_SADDLE); the other
        is the final one. Sides are compared with the initial minimum with the rigid
        translation removed. A side that matches the initial minimum on the mode region
        but not outside it fails as spectator_flip rather than not_connected."""
        settings = self.settings
        self.stage = "relaxation to both sides of the saddle"
        sides = [self.aligned(descend(self.evaluate, saddle.positions + sign
                                      * settings.push_over * mode.vector, settings))
                 for sign in (1.0, -1.0)]
        returns = [same_minimum(side, self.minimum, settings) for side in sides]
        if all(returns):
            raise SearchFailed("same_minimum")
        if not any(returns):
            neighbour = self.connected_neighbour(sides, event)
            if neighbour is None:
                raise self.unconnected(sides, event)
            event.status = NEIGHBOUR_SADDLE
            return sides[1 - neighbour]
        return sides[returns.index(False)]

    def unconnected(self, sides: list[Point], event: Event) -> SearchFailed:
        """The failure of a saddle whose sides both miss the initial minimum and any
        neighbour connected to it: spectator_flip where a side matches the initial
        minimum on the mode region, else not_connected."""
        detail = "side energies " + ", ".join(f"{side.energy - self.minimum.energy:+.4f}"
                                              for side in sides) + " eV from the initial"
        if np.isfinite(event.neighbour_energy):
            detail += "; the path to a near-degenerate side did not converge"
        spectators = max(spectator_atoms(side, self.minimum, self.region, self.settings)
                         for side in sides) if self.region is not None else 0
        if spectators:
            return SearchFailed("spectator_flip", f"{detail}; {spectators} atoms outside the "
                                                  "mode region moved")
        return SearchFailed("not_connected", detail)

    def aligned(self, point: Point) -> Point:
        """``point`` less its rigid translation from the initial minimum, where the surface
        has that symmetry."""
        shift = point.positions - self.minimum.positions
        return Point(self.minimum.positions + self.evaluate.project(shift), point.energy,
                     point.forces)

    def connected_neighbour(self, sides: list[Point], event: Event) -> int | None:
        """The index of the side that self.neighbours connects to the initial minimum,
        trying the sides within its energy window of it, nearest (2-norm) first; None if
        none. The last path tried is recorded in ``event``."""
        if self.neighbours is None:
            return None
        start = self.minimum
        distances = [float(np.linalg.norm(side.positions - start.positions)) for side in sides]
        near = sorted((i for i, side in enumerate(sides)
                       if abs(side.energy - start.energy) <= self.neighbours.energy),
                      key=lambda i: distances[i])
        self.stage = "path to a near-degenerate neighbour"
        for index in near:
            calls = self.evaluate.calls
            path = self.neighbours(self.evaluate, start, sides[index], self.settings)
            event.neb_force_calls += self.evaluate.calls - calls
            event.neighbour_energy, event.neighbour_distance = sides[index].energy, \
                distances[index]
            event.neighbour_barrier, event.neighbour_connected = path.barrier, path.converged
            if path.converged:
                return index
        return None

    def log(self, phase: str, step: int, point: Point, mode: Mode) -> None:
        """Note the activation step as the stage reported (and log it at DEBUG)."""
        self.stage, self.eigenvalue = f"{phase} step {step}", mode.eigenvalue
        LOGGER.debug("%s %d: eigenvalue %.4g, energy %+.4f, force %.3g, %d force calls",
                     phase, step, mode.eigenvalue, point.energy - self.minimum.energy,
                     np.linalg.norm(point.forces), self.evaluate.calls)


def find_saddle(surface: EnergySurface, minimum_positions: np.ndarray, push: np.ndarray,
                settings: ArtSettings = ArtSettings(), seed: int = 0,
                region: np.ndarray | None = None,
                neighbours: NeighbourCheck | None = None,
                moving: np.ndarray | None = None, progress: Progress | None = None) -> Event:
    """One ART nouveau search from a minimum along the push direction ``push`` (nonzero
    on the atoms to activate); the lowest mode is sought on the atoms of ``region`` (a
    mask; None: all) until the saddle, then checked over all atoms; only the atoms of
    ``moving`` (a mask; None: all) move until a first convergence; ``neighbours``
    (None: no check) connects a saddle whose sides both miss the initial minimum
    through a near-degenerate neighbour; ``progress`` (None: none) gets lines on the
    search while it runs (SaddleSearch.report). Each attempt after the first (after
    anything short of the metabasin level) pushes along a new random direction (seeded
    by ``seed``) on the atoms of ``push``, up to settings.max_attempts. The event
    returned is the first that reaches the metabasin level, else the first first-order
    saddle, else the last failure with its reason; its ``attempts`` are those made, and
    every force call of the attempts after it is added to its ``force_calls``."""
    search = SaddleSearch(surface, minimum_positions, settings, region, neighbours, moving,
                          progress)
    pushed = np.linalg.norm(push, axis=-1) > 0
    rng = np.random.default_rng([seed, 1])
    kept = None
    for attempt in range(1, settings.max_attempts + 1):
        search.begin_attempt(attempt)
        event = attempt_saddle(search, push, seed)
        if kept is None or event.status in LEVEL_STATUSES["metabasin"] \
                or kept.status not in FIRST_ORDER:
            kept = event
        if event.status in LEVEL_STATUSES["metabasin"]:
            break
        push = random_push_direction(rng, push.shape, pushed)
    kept.attempts = attempt
    kept.force_calls += search.evaluate.calls - kept.total_force_calls
    return kept


def attempt_saddle(search: SaddleSearch, push: np.ndarray, seed: int) -> Event:
    """One attempt of a search along ``push``: activation, verification and the
    relaxation to both sides; force calls counted from the search's start."""
    evaluate, minimum, settings = search.evaluate, search.minimum, search.settings
    push = unit(evaluate.project(push))
    event = Event(status=SADDLE, initial_energy=minimum.energy)
    try:
        saddle, mode = search.activate(push, event)
        event.force_calls = evaluate.calls
        record_saddle(event, minimum, saddle, push, settings)
        mode = search.verify(saddle, mode, event, seed)
        final = search.relax_both_sides(saddle, mode, event)
        event.final_energy, event.final = final.energy, final.positions
    except SearchFailed as failure:
        event.status, event.reason = failure.status, str(failure)
        event.force_calls = event.force_calls or evaluate.calls
    event.verification_force_calls = evaluate.calls - event.force_calls - event.neb_force_calls
    return event


def record_saddle(event: Event, minimum: Point, saddle: Point, push: np.ndarray,
                  settings: ArtSettings) -> None:
    """Energy, force and displacements of the converged saddle into ``event``."""
    displacement = np.linalg.norm(saddle.positions - minimum.positions, axis=-1)
    region = np.linalg.norm(push, axis=-1) > 0
    event.saddle, event.saddle_energy = saddle.positions, saddle.energy
    event.saddle_force = float(np.linalg.norm(saddle.forces))
    event.participation = int(np.count_nonzero(displacement > settings.participation_threshold))
    event.region_displacement = float(np.sqrt(np.sum(displacement[region] ** 2)))
    event.max_displacement = float(displacement.max())
