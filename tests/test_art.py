"""The ART nouveau engine on analytic surfaces, whose saddles are known independently."""

from dataclasses import replace

import numpy as np
import pytest
from scipy.optimize import minimize, root

from mgrelax.art.engine import (ACTIVATIONS, FIRST_ORDER, NEIGHBOUR_SADDLE, SADDLE, ArtSettings,
                         CountingSurface, Point, find_saddle, lanczos_lowest, search_levels,
                         spectator_atoms)
from mgrelax.art.metabasin import MetabasinCheck, climbing_image_neb


class Surface:
    """A 2-D analytic surface: one 'atom' with two coordinates, no translation symmetry."""

    translation_invariant = False

    def __init__(self, energy, gradient):
        self.energy, self.gradient = energy, gradient

    def energy_forces(self, positions):
        x, y = positions[0]
        return self.energy(x, y), -np.array([self.gradient(x, y)])

    def minimum(self, start):
        result = minimize(lambda p: self.energy(*p), start, jac=lambda p: self.gradient(*p),
                          method="BFGS", options={"gtol": 1e-10})
        return np.array([result.x])


MB_A = np.array([-200.0, -100.0, -170.0, 15.0])
MB_a = np.array([-1.0, -1.0, -6.5, 0.7])
MB_b = np.array([0.0, 0.0, 11.0, 0.6])
MB_c = np.array([-10.0, -10.0, -6.5, 0.7])
MB_X = np.array([1.0, 0.0, -0.5, -1.0])
MB_Y = np.array([0.0, 0.5, 1.5, 1.0])


def mueller_brown_terms(x, y):
    dx, dy = x - MB_X, y - MB_Y
    return MB_A * np.exp(MB_a * dx**2 + MB_b * dx * dy + MB_c * dy**2), dx, dy


def mueller_brown():
    """The Mueller-Brown surface (Theor. Chim. Acta 53, 75 (1979))."""

    def energy(x, y):
        return float(np.sum(mueller_brown_terms(x, y)[0]))

    def gradient(x, y):
        terms, dx, dy = mueller_brown_terms(x, y)
        return np.array([np.sum(terms * (2 * MB_a * dx + MB_b * dy)),
                         np.sum(terms * (MB_b * dx + 2 * MB_c * dy))])

    return Surface(energy, gradient)


def numerical_hessian(surface, point, h=1e-5):
    columns = [(surface.gradient(*(point + h * e)) - surface.gradient(*(point - h * e))) / (2 * h)
               for e in np.eye(2)]
    return np.array(columns)


MB_SETTINGS = ArtSettings(push_step=0.02, eigenvalue_threshold=-5.0, lanczos_displacement=1e-4,
                          eigen_step=0.03, max_atom_step=0.03, saddle_force_tolerance=1e-3,
                          higher_order_tolerance=1.0, push_over=0.05,
                          minimum_force_tolerance=1e-5, same_minimum_distance=0.05,
                          same_minimum_energy=1e-2, participation_threshold=0.01,
                          max_force=1e4)


def directions(count):
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False)
    return [np.array([[np.cos(a), np.sin(a)]]) for a in angles]


def with_activation(settings: ArtSettings, activation: str) -> ArtSettings:
    """``settings`` with ``activation``; min_mode starts 0.02 off the minimum."""
    return replace(settings, activation=activation, initial_displacement=0.02)


CLIMB_VARIANTS = [("push", {}), ("min_mode", {}), ("push", {"perpendicular_rule": "partn"}),
                  ("min_mode", {"min_mode_climb": "art"}),
                  ("min_mode", {"min_mode_climb": "art", "perpendicular_rule": "partn"}),
                  ("min_mode", {"convex_perpendicular_steps": 2})]
"""Activations and the climbs of issue 19's engine variants (3) and (4)."""


@pytest.mark.parametrize("activation, changes", CLIMB_VARIANTS)
def test_mueller_brown_saddles_are_the_stationary_points_of_the_surface(activation, changes):
    """Every verified saddle found from the middle minimum is a zero of the gradient
    (scipy's root finder, started there, does not move) with one negative Hessian
    eigenvalue, and both known saddles next to that minimum are found
    (Mueller & Brown: (-0.822, 0.624) at -40.66 and (0.212, 0.293) at -72.25)."""
    surface = mueller_brown()
    start = surface.minimum([-0.05, 0.47])
    settings = replace(with_activation(MB_SETTINGS, activation), **changes)
    found = []
    for push in directions(8):
        event = find_saddle(surface, start, push, settings)
        if event.status != SADDLE:
            continue
        saddle = event.saddle[0]
        exact = root(lambda p: surface.gradient(*p), saddle, tol=1e-12).x
        assert np.linalg.norm(saddle - exact) < 1e-3
        eigenvalues = np.linalg.eigvalsh(numerical_hessian(surface, exact))
        assert eigenvalues[0] < 0 < eigenvalues[1]
        assert event.eigenvalue == pytest.approx(eigenvalues[0], rel=0.02)
        assert event.saddle_energy == pytest.approx(surface.energy(*exact), abs=1e-5)
        assert event.activation_energy == pytest.approx(surface.energy(*exact)
                                                        - surface.energy(*start[0]), abs=1e-5)
        found.append(np.round(exact, 3))
    known = {(-0.822, 0.624): -40.66, (0.212, 0.293): -72.25}
    for point, energy in known.items():
        assert any(np.allclose(f, point, atol=2e-3) for f in found), point
        assert surface.energy(*point) == pytest.approx(energy, abs=0.02)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_double_well_saddle_final_minimum_and_asymmetry(activation):
    """E = (x^2 - 1)^2 + 2 (y - 0.3 x)^2 + 0.1 x: saddle near the origin, final
    minimum in the other well; both compared with direct scipy solutions."""
    def energy(x, y):
        return (x**2 - 1) ** 2 + 2 * (y - 0.3 * x) ** 2 + 0.1 * x

    def gradient(x, y):
        return np.array([4 * x * (x**2 - 1) - 1.2 * (y - 0.3 * x) + 0.1, 4 * (y - 0.3 * x)])

    surface = Surface(energy, gradient)
    settings = replace(with_activation(MB_SETTINGS, activation), eigenvalue_threshold=-0.5,
                       push_step=0.05, eigen_step=0.1, max_atom_step=0.1, push_over=0.1,
                       higher_order_tolerance=0.1)
    start = surface.minimum([1.0, 0.3])
    event = find_saddle(surface, start, np.array([[-1.0, 0.2]]), settings)
    assert event.status == SADDLE, event.reason
    exact_saddle = root(lambda p: gradient(*p), [0.0, 0.0], tol=1e-12).x
    other = surface.minimum([-1.0, -0.3])
    assert np.allclose(event.saddle[0], exact_saddle, atol=1e-3)
    assert np.allclose(event.final[0], other[0], atol=1e-3)
    assert event.asymmetry == pytest.approx(energy(*other[0]) - energy(*start[0]), abs=1e-6)
    assert event.participation == 1 and event.force_calls > 0


def test_lanczos_finds_the_lowest_eigenpair_of_a_matrix():
    rng = np.random.default_rng(1)
    matrix = rng.normal(size=(40, 40))
    matrix = matrix + matrix.T
    values, vectors = np.linalg.eigh(matrix)
    mode = lanczos_lowest(lambda v: (matrix @ v.ravel()).reshape(v.shape),
                          rng.normal(size=(40, 1)), 1e-10, 40)
    assert mode.eigenvalue == pytest.approx(values[0], rel=1e-8)
    assert abs(np.vdot(mode.vector.ravel(), vectors[:, 0])) == pytest.approx(1.0, abs=1e-6)


def harmonic_with(energy_extra):
    def energy(x, y):
        return x**2 + y**2 + energy_extra(x)[0]

    def gradient(x, y):
        return np.array([2 * x + energy_extra(x)[1], 2 * y])

    return Surface(energy, gradient)


@pytest.mark.parametrize("surface, status", [
    (harmonic_with(lambda x: (0.0, 0.0)), "no_negative_eigenvalue"),
    # x^2 - 0.2 x^4 + 0.02 x^6 (plus y^2): negative curvature for 1.09 < |x| < 1.68
    # but no maximum, so the curvature turns positive again during the activation.
    (harmonic_with(lambda x: (-0.2 * x**4 + 0.02 * x**6, -0.8 * x**3 + 0.12 * x**5)), "lost_curvature"),
    (harmonic_with(lambda x: (0.0, 0.0 if abs(x) < 0.5 else np.inf)), "force_blowup"),
])
def test_failures_are_returned_with_their_reason(surface, status):
    settings = replace(MB_SETTINGS, eigenvalue_threshold=-0.1, push_step=0.1, eigen_step=0.1,
                       max_atom_step=0.1, max_push_steps=25)
    event = find_saddle(surface, np.zeros((1, 2)), np.array([[1.0, 0.05]]), settings)
    assert event.status == status
    assert event.reason and event.force_calls > 0


def test_an_attempt_ends_where_the_curvature_is_lost_and_the_next_one_pushes_again():
    """On x^2 - 0.2 x^4 + 0.02 x^6 + y^2 (negative curvature only for 1.09 < |x| < 1.68) the
    min_mode climb goes on up the positive mode until the forces blow up; with
    end_at_curvature_loss 1 it ends where the curvature turns positive again, and each
    further attempt adds its force calls to the search's."""
    surface = harmonic_with(lambda x: (-0.2 * x**4 + 0.02 * x**6, -0.8 * x**3 + 0.12 * x**5))
    settings = replace(MB_SETTINGS, activation="min_mode", initial_displacement=0.1,
                       eigenvalue_threshold=-0.1, eigen_step=0.1, max_atom_step=0.1)
    events = [find_saddle(surface, np.zeros((1, 2)), np.array([[1.0, 0.05]]), variant, seed=3)
              for variant in (settings, replace(settings, end_at_curvature_loss=1),
                              replace(settings, end_at_curvature_loss=1, max_attempts=3))]
    assert [event.status for event in events] == ["force_blowup", "lost_curvature",
                                                  "lost_curvature"]
    assert "after the basin was left" in events[1].reason
    assert events[1].force_calls < events[0].force_calls
    assert events[2].attempts == 3 and events[2].force_calls > 2 * events[1].force_calls


@pytest.mark.parametrize("key, value, allowed", [("activation", "dimer", "push, min_mode"),
                                                 ("perpendicular_rule", "pARTn", "growing, partn"),
                                                 ("min_mode_climb", "dimer", "lbfgs, art")])
def test_unknown_engine_choices_are_refused(key, value, allowed):
    with pytest.raises(ValueError, match=f"{key} = '{value}': one of {allowed}"):
        ArtSettings(**{key: value})


class CoupledSpectator:
    """An event along x (double well a (x^2 - 1)^2, saddle near x = 0) on 'atom' 0 and a
    soft bistable spot y on 'atom' 1 that it tilts: c (y^2 - 1)^2 + (tilt - k (x + 1)) y.
    At x = -1 both wells of y exist (y = -1 lower by about 2 tilt); near the saddle only
    y = +1 does, so the event flips the spot and the saddle's initial side keeps it
    flipped: a neighbour of the start, connected to it across the spot's own saddle."""

    translation_invariant = False

    def __init__(self, a=1.0, c=0.1, k=0.3, tilt=0.02):
        self.a, self.c, self.k, self.tilt = a, c, k, tilt

    def energy_forces(self, positions):
        (x,), (y,) = positions
        energy = (self.a * (x**2 - 1)**2 + self.c * (y**2 - 1)**2
                  + (self.tilt - self.k * (x + 1)) * y)
        gradient = [4 * self.a * x * (x**2 - 1) - self.k * y,
                    4 * self.c * y * (y**2 - 1) + self.tilt - self.k * (x + 1)]
        return energy, -np.array(gradient)[:, None]

    def stationary_point(self, guess):
        """The stationary point scipy's root finder reaches from ``guess``: positions,
        energy and the number of negative Hessian eigenvalues (central differences)."""
        def gradient(p):
            return -self.energy_forces(p.reshape(2, 1))[1].ravel()

        point = root(gradient, guess, tol=1e-12).x
        hessian = [(gradient(point + 1e-5 * e) - gradient(point - 1e-5 * e)) / 2e-5
                   for e in np.eye(2)]
        negative = int(np.sum(np.linalg.eigvalsh(hessian) < 0))
        return point.reshape(2, 1), self.energy_forces(point.reshape(2, 1))[0], negative


COUPLED_SETTINGS = ArtSettings(activation="min_mode", initial_displacement=0.05,
                               lanczos_displacement=1e-4, eigen_step=0.05, max_atom_step=0.05,
                               saddle_force_tolerance=1e-4, minimum_force_tolerance=1e-6,
                               max_force=1e4)
EVENT_REGION = np.array([True, False])
"""The mode is sought on the event coordinate x only, as on the atoms of a cluster."""


def coupled_search(surface, neighbours=None):
    """A search from the start (x, y near (-1, -1)) pushing x; the start and its energy."""
    start, start_energy, _ = surface.stationary_point([-1, -1])
    event = find_saddle(surface, start, np.array([[1.0], [0.0]]), COUPLED_SETTINGS,
                        region=EVENT_REGION, neighbours=neighbours)
    return event, start, start_energy


def test_an_event_that_flips_a_spot_outside_the_mode_region_is_a_spectator_flip():
    surface = CoupledSpectator()
    event, _, start_energy = coupled_search(surface)
    saddle, saddle_energy, negative = surface.stationary_point([0, 1.3])
    assert event.status == "spectator_flip", event.reason
    assert negative == 1
    assert event.saddle == pytest.approx(saddle, abs=1e-3)
    assert event.saddle_energy - event.initial_energy == pytest.approx(saddle_energy
                                                                       - start_energy, abs=1e-5)


NEAR_NEIGHBOUR = MetabasinCheck(energy=0.1, force_tolerance=1e-4, iterations=5000)


@pytest.mark.parametrize("event_barrier", [1.0, 0.3])
def test_a_saddle_out_of_a_near_degenerate_neighbour_is_a_metabasin_event(event_barrier):
    """The saddle's initial side is the flipped spot (x near -1, y near +1), 0.04 eV above
    the start: a metabasin event, not strict; its activation energy is the highest point
    of start -> neighbour -> saddle, from scipy's stationary points: the event's saddle
    (a = 1) or the spot's saddle between start and neighbour (a = 0.3, c = 0.15)."""
    surface = CoupledSpectator(a=event_barrier, c=0.1 if event_barrier == 1.0 else 0.15)
    event, start, start_energy = coupled_search(surface, NEAR_NEIGHBOUR)
    neighbour, neighbour_energy, _ = surface.stationary_point([-1, 1])
    spot_saddle, spot_energy, spot_negative = surface.stationary_point([-1, 0])
    saddle, saddle_energy, negative = surface.stationary_point(event.saddle.ravel())
    assert event.status == NEIGHBOUR_SADDLE, event.reason
    assert search_levels(event.status) == {"first_order": True, "metabasin": True,
                                           "strict": False}
    assert (negative, spot_negative) == (1, 1)
    assert 0 < neighbour_energy - start_energy < 0.1
    assert event.neighbour_energy == pytest.approx(neighbour_energy, abs=1e-8)
    assert event.neighbour_barrier == pytest.approx(spot_energy - start_energy, abs=1e-6)
    assert event.neighbour_distance == pytest.approx(np.linalg.norm(neighbour - start),
                                                     abs=1e-4)
    highest = max(saddle_energy, spot_energy) - start_energy
    assert event.activation_energy == pytest.approx(highest, abs=1e-6)
    assert (spot_energy > saddle_energy) == (event_barrier == 0.3)
    assert event.neb_force_calls > 0


class RecordingSurface:
    """A surface that keeps every position it is asked for."""

    def __init__(self, surface):
        self.surface, self.positions = surface, []
        self.translation_invariant = surface.translation_invariant

    def energy_forces(self, positions):
        self.positions.append(np.array(positions))
        return self.surface.energy_forces(positions)


def test_a_frozen_far_field_holds_still_until_the_restricted_saddle():
    """With only the event coordinate moving (moving = EVENT_REGION) the spot y keeps its
    starting value in every force call until the activation converges on x alone, at
    the saddle of E(x, y_start) (scipy's root finder on dE/dx); the search then goes on
    with y free and ends at the saddle of the whole surface, as without a frozen field,
    where y moves as soon as the climb at negative curvature begins."""
    surface = CoupledSpectator()
    start, _, _ = surface.stationary_point([-1, -1])
    saddle, _, _ = surface.stationary_point([0, 1.3])
    restricted = root(lambda x: surface.energy_forces(np.array([[x[0]], start[1]]))[1][0],
                      [0.0]).x[0]
    calls_before_spot_moves, xs = {}, {}
    for label, moving in (("free", None), ("frozen", EVENT_REGION)):
        recording = RecordingSurface(surface)
        event = find_saddle(recording, start, np.array([[1.0], [0.0]]), COUPLED_SETTINGS,
                            region=EVENT_REGION, moving=moving)
        assert event.status == "spectator_flip", event.reason
        assert event.saddle == pytest.approx(saddle, abs=1e-3)
        spot = np.array([p[1, 0] for p in recording.positions])
        calls_before_spot_moves[label] = np.flatnonzero(spot != start[1, 0])[0]
        xs[label] = np.array([p[0, 0] for p in recording.positions])
    frozen = calls_before_spot_moves["frozen"]
    assert frozen > calls_before_spot_moves["free"] + 5
    assert np.min(np.abs(xs["frozen"][:frozen] - restricted)) < 1e-4
    assert np.min(np.abs(xs["free"][:calls_before_spot_moves["free"]] - restricted)) > 1e-2


def test_a_first_order_saddle_is_kept_over_later_attempts_that_do_no_better():
    """Without a neighbour check the coupled event is a spectator_flip (first order, not
    metabasin); a second attempt (the push reversed, it finds the same or nothing better)
    does not replace it, and its force calls are added to the kept event's, so that
    its three counts sum to every call the search made."""
    surface = CoupledSpectator()
    start, _, _ = surface.stationary_point([-1, -1])
    one = find_saddle(surface, start, np.array([[1.0], [0.0]]), COUPLED_SETTINGS,
                      region=EVENT_REGION)
    recording = RecordingSurface(surface)
    two = find_saddle(recording, start, np.array([[1.0], [0.0]]),
                      replace(COUPLED_SETTINGS, max_attempts=2), region=EVENT_REGION)
    assert (one.status, two.status, two.attempts) == ("spectator_flip", "spectator_flip", 2)
    assert two.saddle == pytest.approx(one.saddle, abs=1e-12)
    assert two.force_calls > one.force_calls
    assert two.force_calls + two.verification_force_calls + two.neb_force_calls \
        == len(recording.positions)


def test_a_saddle_out_of_a_basin_too_high_above_the_start_is_first_order_only():
    """The same event with the spot tilted harder: the saddle's initial side lies 0.16 eV
    above the start, beyond art.metabasin.energy, so no path is tried."""
    surface = CoupledSpectator(a=0.3, c=0.15, tilt=0.08)
    event, _, start_energy = coupled_search(surface, NEAR_NEIGHBOUR)
    _, neighbour_energy, _ = surface.stationary_point([-1, 1])
    assert neighbour_energy - start_energy > 0.1
    assert event.status in FIRST_ORDER and event.status != NEIGHBOUR_SADDLE, event.reason
    assert search_levels(event.status) == {"first_order": True, "metabasin": False,
                                           "strict": False}
    assert np.isnan(event.neighbour_barrier) and event.neb_force_calls == 0


def test_climbing_image_neb_reaches_the_mueller_brown_saddle_between_two_minima():
    """From the middle minimum to the lowest one (a curved path): the barrier is that of
    the known saddle (-0.822, 0.624), E = -40.66 (Mueller & Brown)."""
    surface = mueller_brown()
    evaluate = CountingSurface(surface, 1e4)
    start, end = (evaluate(surface.minimum(guess)) for guess in ([-0.05, 0.47], [-0.56, 1.44]))
    path = climbing_image_neb(evaluate, start, end,
                              MetabasinCheck(images=9, spring_constant=50.0,
                                             force_tolerance=1e-3, iterations=5000), 0.01)
    saddle = root(lambda p: surface.gradient(*p), [-0.822, 0.624], tol=1e-12).x
    assert path.converged
    assert path.barrier == pytest.approx(surface.energy(*saddle) - start.energy, abs=1e-4)


def test_spectator_atoms_counts_moves_outside_an_unchanged_region():
    settings = ArtSettings(same_minimum_distance=0.1)
    start = Point(np.zeros((4, 3)), 0.0, np.zeros((4, 3)))
    region = np.array([True, True, False, False])

    def moved(atoms, distance):
        positions = np.zeros((4, 3))
        positions[atoms, 0] = distance
        return Point(positions, 0.0, np.zeros((4, 3)))

    assert spectator_atoms(moved([2, 3], 0.3), start, region, settings) == 2
    assert spectator_atoms(moved([3], 0.05), start, region, settings) == 0
    assert spectator_atoms(moved([0, 3], 0.3), start, region, settings) == 0
