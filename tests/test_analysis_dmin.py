"""Falk-Langer D2min and inherent-structure D_min on constructed configurations; the
certified sparse assignment against dense solves."""

import itertools

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from analysis.assignment import Candidates, certified_matching
from analysis.box import box_matrix, fractional, minimum_image
from analysis.dmin import (MAX_DRIFT_ITERATIONS, MinimalDisplacement, NonaffineDisplacement,
                           d2min, is_dmin, minimal_relabelling)

ORTHOGONAL = box_matrix((9.0, 10.0, 11.0))
TRICLINIC = box_matrix((10.0, 11.0, 12.0), (3.0, -2.5, 1.5))
BOXES = pytest.mark.parametrize("box", [ORTHOGONAL, TRICLINIC], ids=["orthogonal", "triclinic"])
CELL_SHIFTS = np.array(list(itertools.product((-1, 0, 1), repeat=3)))


def random_positions(box, n_atoms, rng):
    """Uniform positions in the cell, some moved out of it by whole box vectors."""
    inside = rng.uniform(0.0, 1.0, (n_atoms, 3)) @ box.T
    return inside + rng.integers(-1, 2, (n_atoms, 3)) @ box.T


def nearest_image(separation, box):
    """Shortest periodic image of one separation vector, searched among 27 cell shifts."""
    images = separation - np.round(fractional(separation, box)) @ box.T + CELL_SHIFTS @ box.T
    return images[np.argmin(np.sum(images**2, axis=1))]


def direct_d2min(reference, current, box_reference, box_current, cutoff):
    """D2min by a loop over atoms and pairs with a least-squares affine fit."""
    result = np.zeros(len(reference))
    for i in range(len(reference)):
        d0, d1 = [], []
        for j in range(len(reference)):
            separation = nearest_image(reference[j] - reference[i], box_reference)
            if j != i and np.linalg.norm(separation) <= cutoff:
                d0.append(separation)
                d1.append(nearest_image(current[j] - current[i], box_current))
        if len(d0) >= 3:
            j_transposed, *_ = np.linalg.lstsq(np.array(d0), np.array(d1), rcond=None)
            result[i] = np.sum((np.array(d1) - np.array(d0) @ j_transposed) ** 2)
    return result


@BOXES
def test_d2min_vanishes_for_affine_deformation(box):
    rng = np.random.default_rng(1)
    reference = random_positions(box, 400, rng)
    strain = np.array([[1.04, 0.07, -0.03], [0.02, 0.96, 0.05], [-0.04, 0.03, 1.03]])
    box_current = strain @ box
    current = reference @ strain.T + rng.integers(-1, 2, (400, 3)) @ box_current.T
    result = d2min(reference, current, box, box_current, cutoff=2.5)
    assert isinstance(result, NonaffineDisplacement)
    assert result.valid.all()
    assert np.all(result.d2min <= 1e-20 * result.n_neighbours * 2.5**2)
    np.testing.assert_allclose(result.affine_maps, np.broadcast_to(strain, (400, 3, 3)), atol=1e-12)


def test_d2min_of_one_moved_neighbour_across_the_boundary():
    # Atom 0 sits on the box corner with neighbours at +-a x, a y, a z (wrapped); moving
    # the +x neighbour by delta along y gives J = 1 + delta/(2a) e_y e_x^T, D2min = delta^2 / 2.
    a, delta = 1.0, 0.3
    box = box_matrix((20.0, 20.0, 20.0))
    star = np.array([[0, 0, 0], [a, 0, 0], [-a, 0, 0], [0, a, 0], [0, 0, a]], dtype=float)
    reference = np.mod(star, 20.0)
    current = reference + np.array([[0, 0, 0], [0, delta, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]])
    result = d2min(reference, current, box, box, cutoff=1.2)
    np.testing.assert_array_equal(result.n_neighbours, [4, 1, 1, 1, 1])
    np.testing.assert_array_equal(result.valid, [True, False, False, False, False])
    np.testing.assert_allclose(result.d2min, [delta**2 / 2, 0, 0, 0, 0], atol=1e-15)
    expected_map = [[1, 0, 0], [delta / (2 * a), 1, 0], [0, 0, 1]]
    np.testing.assert_allclose(result.affine_maps[0], expected_map, atol=1e-15)
    assert np.isnan(result.affine_maps[1:]).all()


def test_d2min_matches_direct_loop_in_triclinic_box():
    rng = np.random.default_rng(2)
    reference = random_positions(TRICLINIC, 120, rng)
    box_current = TRICLINIC + np.array([[0, 0.4, 0], [0, 0, 0], [0, 0, 0]])
    current = reference + rng.normal(0.0, 0.2, reference.shape)
    result = d2min(reference, current, TRICLINIC, box_current, cutoff=2.2)
    assert result.valid.mean() > 0.5 and not result.valid.all()
    expected = direct_d2min(reference, current, TRICLINIC, box_current, 2.2)
    np.testing.assert_allclose(result.d2min, expected, rtol=1e-10, atol=1e-14)


def test_d2min_flags_atoms_with_fewer_than_three_neighbours():
    box = box_matrix((30.0, 30.0, 30.0))
    pair = [[1, 1, 1], [2, 1, 1]]
    triangle = [[10, 10, 10], [11, 10, 10], [10, 11, 10]]
    lonely = [[20, 20, 20]]
    reference = np.array(pair + triangle + lonely, dtype=float)
    result = d2min(reference, reference + 0.1, box, box, cutoff=1.5)
    np.testing.assert_array_equal(result.n_neighbours, [1, 1, 2, 2, 2, 0])
    assert not result.valid.any()
    np.testing.assert_array_equal(result.d2min, 0.0)


def test_d2min_rejects_cutoff_beyond_half_the_box():
    reference = np.zeros((4, 3))
    with pytest.raises(ValueError, match="cutoff"):
        d2min(reference, reference, ORTHOGONAL, ORTHOGONAL, cutoff=4.6)


def exchange_loops(types, rng):
    """Permutation moving atoms along loops within each species, shuffled atom order."""
    permutation = np.arange(len(types))
    for t in np.unique(types):
        atoms = rng.permutation(np.flatnonzero(types == t))
        permutation[atoms] = np.roll(atoms, 1)
    return permutation


@BOXES
def test_is_dmin_vanishes_for_relabelling_across_boundaries(box):
    rng = np.random.default_rng(3)
    types = rng.choice([1, 2], 60, p=[0.7, 0.3])
    reference = random_positions(box, 60, rng)
    permutation = exchange_loops(types, rng)
    current = reference[permutation] + rng.integers(-1, 2, (60, 3)) @ box.T
    result = is_dmin(reference, current, box, types)
    assert isinstance(result, MinimalDisplacement)
    assert result.dmin < 1e-12
    np.testing.assert_array_equal(result.assignment, np.argsort(permutation))
    labelled = minimum_image(current - reference, box)
    assert np.sqrt(np.mean(np.sum(labelled**2, axis=1))) > 1.0


def brute_force_dmin(reference, current, types):
    """Minimal drift-free RMS displacement over all relabellings within species (no images)."""
    species = [np.flatnonzero(types == t) for t in np.unique(types)]
    best = np.inf
    for orders in itertools.product(*(itertools.permutations(atoms) for atoms in species)):
        assignment = np.empty(len(types), dtype=int)
        for atoms, order in zip(species, orders):
            assignment[atoms] = order
        displacements = current[assignment] - reference
        displacements -= displacements.mean(axis=0)
        best = min(best, np.sqrt(np.mean(np.sum(displacements**2, axis=1))))
    return best


def test_is_dmin_equals_brute_force_minimum_over_permutations():
    box = box_matrix((20.0, 21.0, 22.0), (6.0, -5.0, 3.0))  # wide enough that images are unique
    types = np.array([1, 2, 1, 2, 1, 2])
    relabelled = 0
    for seed in range(8):
        rng = np.random.default_rng(seed)
        corner = box @ np.ones(3)  # cluster around a box corner, wrapped: images matter
        reference = corner + rng.uniform(-1.0, 1.0, (6, 3))
        current = reference + rng.normal(0.0, 0.7, (6, 3)) + [0.4, -0.3, 0.2]
        wrapped = reference - np.floor(fractional(reference, box)) @ box.T
        result = is_dmin(wrapped, current, box, types)
        assert result.dmin == pytest.approx(brute_force_dmin(reference, current, types), rel=1e-12)
        labelled = current - reference
        labelled_rms = np.sqrt(np.mean(np.sum((labelled - labelled.mean(axis=0)) ** 2, axis=1)))
        assert result.dmin <= labelled_rms * (1 + 1e-12)
        assert np.abs(result.displacements.mean(axis=0)).max() < 1e-12
        relabelled += not np.array_equal(result.assignment, np.arange(6))
    assert relabelled > 0


def test_is_dmin_removes_uniform_translation():
    rng = np.random.default_rng(4)
    types = rng.choice([1, 2], 50)
    reference = random_positions(TRICLINIC, 50, rng)
    translation = np.array([3.3, -7.1, 5.2])
    result = is_dmin(reference, reference + translation, TRICLINIC, types)
    assert result.dmin < 1e-12
    np.testing.assert_array_equal(result.assignment, np.arange(50))
    np.testing.assert_allclose(minimum_image((result.drift - translation)[None], TRICLINIC), 0.0,
                               atol=1e-12)


def test_is_dmin_never_exchanges_species():
    box = box_matrix((10.0, 10.0, 10.0))
    types = np.array([1, 2, 1, 2])
    reference = np.array([[1.0, 1, 1], [2, 1, 1], [6, 6, 6], [6, 8, 6]])
    current = reference[[1, 0, 2, 3]]  # the unlike atoms 0 and 1 swap places
    result = is_dmin(reference, current, box, types)
    np.testing.assert_array_equal(result.assignment, np.arange(4))
    assert result.dmin == pytest.approx(np.sqrt(0.5), rel=1e-12)

    rng = np.random.default_rng(5)
    types = rng.choice([1, 2, 3], 40)
    reference = random_positions(TRICLINIC, 40, rng)
    result = is_dmin(reference, reference[rng.permutation(40)], TRICLINIC, types)
    np.testing.assert_array_equal(types[result.assignment], types)
    assert sorted(result.assignment) == list(range(40))


WIDE_ORTHOGONAL = box_matrix((16.0, 17.0, 18.0))
WIDE_TRICLINIC = box_matrix((16.0, 17.0, 18.0), (4.0, -3.0, 2.5))
WIDE_BOXES = pytest.mark.parametrize("box", [WIDE_ORTHOGONAL, WIDE_TRICLINIC],
                                     ids=["orthogonal", "triclinic"])
REGIMES = pytest.mark.parametrize("regime", ["glass", "liquid", "unrelated"])


def moved_pair(box, regime, rng, n_atoms=240):
    """Reference and current positions (not wrapped) and types 1/2 of a pair: glass
    (small displacements after same-type nearest neighbours swapped, also across the
    boundary), liquid (displacements of a few neighbour distances) or unrelated."""
    reference = random_positions(box, n_atoms, rng)
    types = rng.choice([1, 2], n_atoms)
    if regime == "glass":
        current = reference + rng.normal(0.0, 0.1, reference.shape)
        for i in rng.choice(n_atoms, 20, replace=False):
            same = np.flatnonzero((types == types[i]) & (np.arange(n_atoms) != i))
            distances = np.sum(minimum_image(reference[same] - reference[i], box) ** 2, axis=1)
            j = same[np.argmin(distances)]
            current[[i, j]] = current[[j, i]]
    elif regime == "liquid":
        current = reference + rng.normal(0.0, 2.0, reference.shape)
    else:
        current = random_positions(box, n_atoms, rng)
    return reference, current + rng.integers(-1, 2, (n_atoms, 3)) @ box.T, types


def dense_costs(reference, current, box):
    """C_ij = |mi(current_j - reference_i)|^2 for all pairs."""
    separations = (current[None, :, :] - reference[:, None, :]).reshape(-1, 3)
    return np.sum(minimum_image(separations, box) ** 2, axis=1).reshape(len(reference), -1)


def dense_is_dmin(reference, current, box, types):
    """IS D_min and assignment by is_dmin's drift iteration, each species solved by
    linear_sum_assignment on its dense cost matrix."""
    drift = np.mean(minimum_image(current - reference, box), axis=0)
    assignment = None
    for _ in range(10):
        previous, assignment = assignment, np.empty(len(types), dtype=int)
        for kind in np.unique(types):
            atoms = np.flatnonzero(types == kind)
            costs = dense_costs(reference[atoms], current[atoms] - drift, box)
            assignment[atoms] = atoms[linear_sum_assignment(costs)[1]]
        drift = drift + minimum_image(current[assignment] - drift - reference, box).mean(axis=0)
        if np.array_equal(assignment, previous):
            break
    displacements = minimum_image(current[assignment] - drift - reference, box)
    return np.sqrt(np.mean(np.sum(displacements**2, axis=1))), assignment


def assert_certified_optimum(matching, costs):
    """The matching is a permutation of least total cost, and its duals hold for all pairs."""
    rows, columns = linear_sum_assignment(costs)
    n = len(costs)
    np.testing.assert_array_equal(np.sort(matching.columns), np.arange(n))
    assert costs[np.arange(n), matching.columns].sum() == pytest.approx(costs[rows, columns].sum(),
                                                                       rel=1e-10, abs=1e-12)
    reduced = costs - matching.row_duals[:, None] - matching.column_duals[None, :]
    assert reduced.min() >= -matching.tolerance
    np.testing.assert_allclose(reduced[np.arange(n), matching.columns], 0.0,
                               atol=1e-12 * costs.max())


@WIDE_BOXES
@REGIMES
def test_minimal_relabelling_is_the_dense_optimum_with_a_certificate(box, regime):
    rng = np.random.default_rng(6)
    reference, current, types = moved_pair(box, regime, rng)
    atoms = np.flatnonzero(types == 1)
    matching = minimal_relabelling(reference[atoms], current[atoms], box)
    assert_certified_optimum(matching, dense_costs(reference[atoms], current[atoms], box))


@WIDE_BOXES
@REGIMES
def test_is_dmin_equals_the_dense_solve(box, regime):
    rng = np.random.default_rng(7)
    reference, current, types = moved_pair(box, regime, rng)
    result = is_dmin(reference, current, box, types)
    expected, assignment = dense_is_dmin(reference, current, box, types)
    assert result.dmin == pytest.approx(expected, rel=1e-10)
    np.testing.assert_array_equal(result.assignment, assignment)
    if regime == "glass":
        assert result.dmin < 0.3


def dense_optimum_at(drift, reference, current, box, types):
    """Least mean squared displacement over relabellings within species at a fixed drift."""
    total = 0.0
    for kind in np.unique(types):
        atoms = np.flatnonzero(types == kind)
        costs = dense_costs(reference[atoms], current[atoms] - drift, box)
        total += costs[linear_sum_assignment(costs)].sum()
    return total / len(types)


def test_converged_is_dmin_carries_its_optimality_certificate():
    rng = np.random.default_rng(10)
    reference, current, types = moved_pair(WIDE_TRICLINIC, "liquid", rng)
    result = is_dmin(reference, current, WIDE_TRICLINIC, types)
    assert result.converged and 2 <= result.iterations <= MAX_DRIFT_ITERATIONS
    optimum = dense_optimum_at(result.drift, reference, current, WIDE_TRICLINIC, types)
    tolerance = 1e-10 * optimum
    assert result.dual_bound <= optimum + tolerance
    assert result.dmin**2 == pytest.approx(optimum, abs=tolerance)
    assert result.dmin**2 - result.dual_bound == pytest.approx(0.0, abs=tolerance)


def test_is_dmin_stopped_before_the_assignment_repeats_is_not_converged():
    # Liquid-like moves across the boundary: the first drift is not the optimal one.
    rng = np.random.default_rng(10)
    reference, current, types = moved_pair(WIDE_TRICLINIC, "liquid", rng)
    stopped = is_dmin(reference, current, WIDE_TRICLINIC, types, max_iterations=1)
    full = is_dmin(reference, current, WIDE_TRICLINIC, types)
    assert not stopped.converged and stopped.iterations == 1
    assert full.converged and full.iterations > 1
    assert not np.allclose(stopped.drift, full.drift, rtol=0.0, atol=1e-9)
    assert full.dmin <= stopped.dmin
    with pytest.raises(ValueError, match="max_iterations"):
        is_dmin(reference, current, WIDE_TRICLINIC, types, max_iterations=0)


def test_minimal_relabelling_widens_the_candidates_until_certified():
    # One candidate per atom besides a random start: most optimal partners are missing.
    rng = np.random.default_rng(8)
    reference, current, _ = moved_pair(WIDE_TRICLINIC, "liquid", rng, n_atoms=150)
    matching = minimal_relabelling(reference, current, WIDE_TRICLINIC, start=rng.permutation(150),
                                   neighbours=1)
    assert matching.widenings > 0
    assert_certified_optimum(matching, dense_costs(reference, current, WIDE_TRICLINIC))


def test_is_dmin_on_a_lattice_with_ties():
    # A simple cubic lattice shifted by half a spacing: every atom has 8 equally near sites.
    spacing, cells = 2.5, 6
    box = box_matrix((spacing * cells,) * 3)
    sites = np.array(list(itertools.product(range(cells), repeat=3)), dtype=float) * spacing
    types = np.arange(len(sites)) % 2 + 1
    current = sites + 0.5 * spacing
    result = is_dmin(sites, current, box, types)
    expected, _ = dense_is_dmin(sites, current, box, types)
    assert result.dmin == pytest.approx(expected, rel=1e-10, abs=1e-12)


def test_certified_matching_on_random_costs():
    # Non-geometric costs: the three cheapest pairs of each row and a random start are
    # candidates; the search finds every pair below the duals in the dense matrix.
    rng = np.random.default_rng(9)
    n = 200
    costs = rng.uniform(0.0, 1.0, (n, n))
    start = rng.permutation(n)
    nearest = np.argsort(costs, axis=1)[:, :3]
    pairs = np.unique(np.concatenate([np.arange(n)[:, None] * n + nearest,
                                      (np.arange(n) * n + start)[:, None]], axis=1))
    rows, columns = pairs // n, pairs % n
    bounds = np.sort(costs, axis=1)[:, 3]

    def search(rows, row_duals, column_duals):
        found_rows, found_columns = np.nonzero(costs[rows] < row_duals[:, None] + column_duals)
        return rows[found_rows], found_columns, costs[rows[found_rows], found_columns]

    candidates = Candidates.from_pairs(n, rows, columns, costs[rows, columns])
    matching = certified_matching(candidates, bounds, search, start)
    assert matching.widenings > 0
    assert_certified_optimum(matching, costs)
    optimum = costs[linear_sum_assignment(costs)].sum()
    assert matching.lower_bound <= optimum
    assert optimum - matching.lower_bound <= n * matching.tolerance * (1 + 1e-9)
