"""Non-affine and minimal displacements between two configurations of a periodic cell.

d2min
    Falk-Langer local non-affine squared displacement D2min of each atom, the plain
    sum over its reference neighbours (OVITO's "Nonaffine Squared Displacement").
is_dmin
    Inherent-structure minimal displacement IS D_min: the RMS displacement between
    two configurations minimised over relabellings of identical atoms (linear sum
    assignment per species), with the centre-of-mass drift removed.
minimal_relabelling
    The optimal relabelling of one species, exact and certified by LP duality while
    costing only pairs of nearby atoms (analysis.assignment).

Boxes follow analysis.box: h has the box vectors as columns, r = h @ s. Lengths are
in the unit of the positions.
"""

import functools
import itertools
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from analysis.assignment import Candidates, Matching, certified_matching, distinct
from analysis.box import fractional, images_near_box, minimum_image, perpendicular_widths

MIN_NEIGHBOURS = 3
"""Least number of neighbours that determine a local 3-D affine map."""

MAX_DRIFT_ITERATIONS = 10
"""Default most alternations of assignment and drift removal in is_dmin (2 suffice for glasses;
liquids over long times can reach it, with near-ties swapping at every drift)."""

CANDIDATE_NEIGHBOURS = 12
"""Nearest current atoms of its species costed up front for each reference atom."""

VECTOR_BLOCK = 2**14
"""Vectors per (P, 3) @ (3, 3) product: larger ones go to multithreaded BLAS, many
times slower on a busy machine."""

ROUNDING_SLACK = 1e-14
"""Distance slack in the certificate's geometric bounds, relative to the coordinates'
magnitude (covers rounding between Cartesian and fractional distances)."""


@dataclass(frozen=True, eq=False)
class NonaffineDisplacement:
    """Per-atom Falk-Langer non-affine displacement.

    d2min : (N,) D2min_i = min_J sum_j |d_ij - J d0_ij|^2 (length**2); 0 where not valid.
    n_neighbours : (N,) neighbours within the cutoff in the reference configuration.
    valid : (N,) True where n_neighbours >= MIN_NEIGHBOURS.
    affine_maps : (N, 3, 3) best local affine map J_i (dimensionless); NaN where not valid.
    """

    d2min: np.ndarray
    n_neighbours: np.ndarray
    valid: np.ndarray
    affine_maps: np.ndarray


@dataclass(frozen=True, eq=False)
class MinimalDisplacement:
    """Inherent-structure minimal displacement between two configurations.

    dmin : IS D_min = sqrt(mean_i |displacements_i|^2) over all N atoms (length).
    assignment : (N,) index in `current` of the atom matched to each `reference` atom.
    displacements : (N, 3) minimum-image current[assignment] - drift - reference (length).
    drift : (3,) removed uniform (centre-of-mass) translation (length).
    widenings : times the optimality certificate had to add candidate pairs (summed
        over species and drift iterations).
    converged : True when the drift/assignment alternation ended because the
        assignment repeated, False when it stopped at its iteration limit.
    iterations : assignments solved (drift iterations used).
    dual_bound : LP dual bound (length**2): no relabelling has a mean squared
        displacement below it at the drift of the last assignment (which, once
        converged, is `drift`); dmin**2 exceeds it by at most the solver's tolerance
        there (analysis.assignment.Matching.lower_bound summed over species, / N).
    """

    dmin: float
    assignment: np.ndarray
    displacements: np.ndarray
    drift: np.ndarray
    widenings: int
    converged: bool
    iterations: int
    dual_bound: float


def d2min(reference, current, box_reference, box_current, cutoff):
    """Falk-Langer non-affine squared displacement of every atom.

    For atom i with neighbours j within `cutoff` in the reference configuration,
    D2min_i = min_J sum_j |d_ij - J d0_ij|^2 with d0_ij, d_ij the minimum-image
    separations r_j - r_i in the reference and current boxes. The minimiser is
    J = X Y^-1 with X = sum_j d_ij d0_ij^T and Y = sum_j d0_ij d0_ij^T (Falk &
    Langer, PRE 57, 7192 (1998)); a pseudo-inverse covers coplanar neighbours.
    The sum is not divided by the number of neighbours (as in OVITO).

    Parameters
    ----------
    reference, current : array_like, shape (N, 3)
        Cartesian positions (length), same atom order; need not be wrapped.
    box_reference, box_current : array_like, shape (3, 3)
        Box matrices h (columns are the box vectors) of the two configurations.
    cutoff : float
        Neighbour cutoff (length), below half the smallest perpendicular width of
        the reference box. Current separations of these pairs must stay below half
        the smallest width of the current box for the minimum image to hold.

    Returns
    -------
    NonaffineDisplacement
        Atoms with fewer than MIN_NEIGHBOURS neighbours get D2min 0 and valid False.
    """
    r0, r1 = _paired_positions(reference, current)
    h0, h1 = np.asarray(box_reference, dtype=float), np.asarray(box_current, dtype=float)
    i, j = _neighbour_pairs(r0, h0, cutoff)
    d0 = _blockwise(minimum_image, r0[j] - r0[i], h0)
    d1 = _blockwise(minimum_image, r1[j] - r1[i], h1)
    n = len(r0)
    x, y = _outer_sums(d1, d0, i, n), _outer_sums(d0, d0, i, n)
    n_neighbours = np.bincount(i, minlength=n)
    valid = n_neighbours >= MIN_NEIGHBOURS
    affine_maps = np.full((n, 3, 3), np.nan)
    affine_maps[valid] = x[valid] @ np.linalg.pinv(y[valid], hermitian=True)
    squared = np.zeros(len(i))
    for a in range(3):
        fitted = sum(affine_maps[i, a, b] * d0[:, b] for b in range(3))
        squared += (d1[:, a] - fitted) ** 2
    return NonaffineDisplacement(
        d2min=np.bincount(i, weights=np.where(valid[i], squared, 0.0), minlength=n),
        n_neighbours=n_neighbours,
        valid=valid,
        affine_maps=affine_maps,
    )


def is_dmin(reference, current, box, types, max_iterations=MAX_DRIFT_ITERATIONS):
    """Inherent-structure minimal displacement IS D_min (Yu, Gao, Gao & Samwer, Eqs. 2-3).

    IS D_min = [min (1/N) sum_ij C_ij X_ij]^(1/2), with C_ij the squared distance
    between atom i of `reference` and atom j of `current`, X a permutation matrix
    that only matches atoms of the same type, and N all atoms. Each species is
    solved exactly by minimal_relabelling, which costs only pairs of nearby atoms
    and proves its answer optimal for the full (dense) problem.

    Distances are minimum images after removing a uniform drift c (not in the
    paper's Eq. 2; it makes D_min zero for a rigid translation): C_ij =
    |mi(current_j - c - reference_i)|^2. c starts as the mean labelled minimum-image
    displacement; then the assignment (optimal for fixed c) and c += mean displacement
    (optimal for fixed assignment) alternate until the assignment repeats (at most
    `max_iterations` assignments; the result says whether it repeated), which never
    increases the objective. Without periodic images the mean displacement does not
    depend on the relabelling, so the first drift is already optimal.

    Parameters
    ----------
    reference, current : array_like, shape (N, 3)
        Cartesian positions (length), e.g. two inherent structures; need not be wrapped.
    box : array_like, shape (3, 3)
        Box matrix h (columns are the box vectors). Minimum images are exact for
        displacements below half its smallest perpendicular width.
    types : array_like, shape (N,)
        Atom type of each atom, the same in both configurations.
    max_iterations : int
        Most assignments solved (drift iterations), >= 1.

    Returns
    -------
    MinimalDisplacement

    Notes
    -----
    Memory grows as N * CANDIDATE_NEIGHBOURS (10^6 atoms of a glass: about 30 s and
    1.4 GB on two cores). Time is near linear in N when few atoms moved farther than
    their neighbour distance (glasses); for atoms moved far (liquids over long times)
    the first sparse Jonker-Volgenant solve and the duals grow faster (9088 atoms: 2 s).
    """
    r0, r1 = _paired_positions(reference, current)
    h = np.asarray(box, dtype=float)
    types = np.asarray(types)
    if types.shape != (len(r0),):
        raise ValueError(f"types must have shape ({len(r0)},), got {types.shape}")
    if max_iterations < 1:
        raise ValueError(f"max_iterations must be at least 1, got {max_iterations}")
    species = [np.flatnonzero(types == t) for t in np.unique(types)]
    drift = np.mean(_blockwise(minimum_image, r1 - r0, h), axis=0)
    pairs = [_PeriodicPairs(r0[atoms], r1[atoms], h, drift, CANDIDATE_NEIGHBOURS)
             for atoms in species]
    assignment, widenings, converged = None, 0, False
    for iterations in range(1, max_iterations + 1):
        previous = assignment
        assignment, matchings = _optimal_assignment(species, pairs, drift, previous)
        widenings += sum(matching.widenings for matching in matchings)
        displacements = _blockwise(minimum_image, r1[assignment] - drift - r0, h)
        drift = drift + displacements.mean(axis=0)
        converged = np.array_equal(assignment, previous)
        if converged:
            break
    displacements = _blockwise(minimum_image, r1[assignment] - drift - r0, h)
    return MinimalDisplacement(
        dmin=float(np.sqrt(np.mean(np.sum(displacements**2, axis=1)))),
        assignment=assignment,
        displacements=displacements,
        drift=drift,
        widenings=widenings,
        converged=converged,
        iterations=iterations,
        dual_bound=sum(matching.lower_bound for matching in matchings) / len(r0),
    )


def minimal_relabelling(reference, current, box, start=None,
                        neighbours=CANDIDATE_NEIGHBOURS) -> Matching:
    """Relabelling sigma of identical atoms that minimises sum_i C_i,sigma(i), with
    C_ij = |mi(current_j - reference_i)|^2 (length**2), certified optimal.

    Optimal for the full n x n problem, though only some pairs are costed: each
    reference atom is offered its `neighbours` nearest current atoms (over periodic
    images) and its partner in `start`. Every other pair (i, j) costs at least R_i^2,
    R_i the distance to the farthest offered image; where the duals of the optimum
    among the offered pairs do not prove that enough, the pairs that could do better
    are searched for and join the candidates (analysis.assignment.certified_matching).
    Optimal to within n * tolerance, about 1e-12 of the largest candidate cost: the
    dense optimum wherever no other relabelling comes that close.

    Parameters
    ----------
    reference, current : array_like, shape (n, 3)
        Cartesian positions (length) of the atoms of one species; need not be wrapped.
    box : array_like, shape (3, 3)
        Box matrix h (columns are the box vectors).
    start : array_like of int, shape (n,), optional
        A relabelling offered as candidates (current atom of each reference atom);
        default: the labels, np.arange(n).
    neighbours : int
        Nearest current atoms costed up front for each reference atom.

    Returns
    -------
    analysis.assignment.Matching
        columns: the current atom of each reference atom. Its duals (length**2)
        certify it: C_ij - row_duals_i - column_duals_j >= -tolerance for every pair,
        0 on the matched pairs.
    """
    r0, r1 = _paired_positions(reference, current)
    start = np.arange(len(r0)) if start is None else np.asarray(start)
    pairs = _PeriodicPairs(r0, r1, np.asarray(box, dtype=float), np.zeros(3), neighbours)
    return pairs.relabelling(np.zeros(3), start, improve=False)


def _paired_positions(reference, current):
    """Both configurations as float (N, 3) arrays of the same shape."""
    r0, r1 = np.asarray(reference, dtype=float), np.asarray(current, dtype=float)
    if r0.ndim != 2 or r0.shape[1] != 3 or r0.shape != r1.shape:
        raise ValueError(f"positions must both be (N, 3), got {r0.shape} and {r1.shape}")
    return r0, r1


def _neighbour_pairs(positions, h, cutoff):
    """Ordered pairs (i, j), i != j, of atoms within `cutoff` in the periodic box.

    A KD-tree of the wrapped atoms is matched against one of their periodic images
    within `cutoff` of the cell; below half the smallest perpendicular width these
    are among the 27 nearest cell shifts and each pair appears once.
    """
    widths = perpendicular_widths(h)
    if not 0 < cutoff < 0.5 * widths.min():
        raise ValueError(f"cutoff = {cutoff:.4g} must be positive and below half the smallest "
                         f"perpendicular box width ({0.5 * widths.min():.4g})")
    s = np.mod(_blockwise(fractional, positions, h), 1.0)
    images, owner = images_near_box(s, h, cutoff)
    atoms = cKDTree(_blockwise(np.matmul, s, h.T))
    pairs = atoms.sparse_distance_matrix(cKDTree(images), cutoff, output_type="ndarray")
    i, j = pairs["i"], owner[pairs["j"]]
    different = i != j
    return i[different], j[different]


def _blockwise(transform, vectors, matrix):
    """transform(vectors, matrix) of (P, 3) vectors, VECTOR_BLOCK vectors at a time."""
    result = np.empty_like(vectors, dtype=float)
    for block in range(0, len(vectors), VECTOR_BLOCK):
        rows = slice(block, block + VECTOR_BLOCK)
        result[rows] = transform(vectors[rows], matrix)
    return result


def _outer_sums(u, v, atom, n_atoms):
    """Sums of the outer products u_p v_p^T of pair vectors (P, 3) onto their first
    atom: (n_atoms, 3, 3)."""
    sums = [np.bincount(atom, weights=u[:, a] * v[:, b], minlength=n_atoms)
            for a in range(3) for b in range(3)]
    return np.stack(sums, axis=1).reshape(n_atoms, 3, 3)


def _optimal_assignment(species, pairs, drift, previous):
    """Relabelling within each species that minimises the summed squared distances
    after removing `drift`, improved from the `previous` one (if any), and the
    certified matching of each species."""
    assignment = np.empty(sum(map(len, species)), dtype=np.int64)
    matchings = []
    for atoms, species_pairs in zip(species, pairs):
        if previous is None:
            matching = species_pairs.relabelling(drift, np.arange(len(atoms)), improve=False)
        else:
            start = np.searchsorted(atoms, previous[atoms])
            matching = species_pairs.relabelling(drift, start, improve=True)
        assignment[atoms] = atoms[matching.columns]
        matchings.append(matching)
    return assignment, matchings


class _PeriodicPairs:
    """Pairs (reference atom i, current atom j) of one species in a periodic box and
    their costs C_ij = |mi(current_j - drift - reference_i)|^2 (length**2).

    C_ij measures one of the images of atom j in the 27 nearest cells, from the
    reference atom wrapped into the box; those within `reach` of the box are indexed
    once (KD-tree) and queried by the reference atoms shifted by the drift. The
    nearest `neighbours` of each reference atom at the first drift are its first
    candidates; every other pair costs at least radius_i^2 there, radius_i the
    distance to the farthest of them (at most `reach`), less rounding. A later drift
    lowers the radius by its change; the candidates a relabelling ends with are
    offered again.
    """

    def __init__(self, reference, current, h, first_drift, neighbours):
        self.reference, self.current, self.h = reference, current, h
        n, k = len(reference), min(neighbours, len(reference))
        density = n / abs(np.linalg.det(h))
        self.reach = min(2.0 * (3.0 * k / (4.0 * np.pi * density)) ** (1 / 3),
                         perpendicular_widths(h).max())
        self.wrapped = np.mod(_blockwise(fractional, current, h), 1.0)
        self.images, self.owner = images_near_box(self.wrapped, h, self.reach)
        scale = np.abs(reference).max() + np.abs(current).max() + np.abs(h).sum()
        self.slack = ROUNDING_SLACK * scale
        distances, nearest = cKDTree(self.images).query(self._queries(first_drift), k=k)
        self.first_drift = first_drift
        self.radius = np.minimum(distances.reshape(n, k)[:, -1], self.reach) - self.slack
        self.offered = np.repeat(np.arange(n), k), self.owner[nearest.ravel()]

    def relabelling(self, drift, start, improve) -> Matching:
        """Certified optimal relabelling at this drift (analysis.assignment.Matching),
        with the partners in `start` among the candidates; `improve`: start is near
        optimal (e.g. the optimum at a slightly different drift)."""
        n = len(self.reference)
        rows, columns = self.offered
        pairs = distinct(np.concatenate([rows * n + columns, np.arange(n) * n + start]))
        rows, columns = pairs // n, pairs % n
        candidates = Candidates.from_pairs(n, rows, columns, self.costs(rows, columns, drift))
        bounds = np.maximum(self.radius - np.linalg.norm(drift - self.first_drift), 0.0) ** 2
        search = functools.partial(self.below_duals, drift)
        matching = certified_matching(candidates, bounds, search, start, improve)
        self.offered = matching.candidates.pairs()[:2]
        return matching

    def costs(self, rows, columns, drift):
        """C_ij of the pairs (rows, columns)."""
        d = _blockwise(minimum_image, self.current[columns] - drift - self.reference[rows],
                       self.h)
        return np.einsum("pa,pa->p", d, d)

    def below_duals(self, drift, rows, row_duals, column_duals):
        """Every pair (row, column, cost) of the given reference atoms with
        C_ij < u_i + v_j (row duals u of these rows, column duals v of all atoms),
        and some more.

        In 4-D, reference atom i at height 0 and an image x_j of current atom j at
        height sqrt(max v - v_j) are closer than sqrt(u_i + max v) exactly when
        |x_j - x_i|^2 < u_i + v_j, which holds for the image that C_ij measures if
        C_ij < u_i + v_j. Rows whose nearest lifted image is not that close have no
        such pair.
        """
        top = column_duals.max()
        radii = np.sqrt(np.maximum(row_duals + top, 0.0)) + self.slack
        images, owner = self.images, self.owner
        if radii.max() > self.reach:
            images, owner = images_near_box(self.wrapped, self.h, radii.max())
        tree = cKDTree(np.column_stack([images, np.sqrt(top - column_duals)[owner]]))
        queries = np.column_stack([self._queries(drift, rows), np.zeros(len(rows))])
        near = tree.query(queries)[0] < radii
        found = tree.query_ball_point(queries[near], radii[near], return_sorted=False)
        counts = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
        found = np.fromiter(itertools.chain.from_iterable(found), dtype=np.int64,
                            count=counts.sum())
        n = len(self.current)
        pairs = distinct(np.repeat(rows[near], counts) * n + owner[found])
        rows, columns = pairs // n, pairs % n
        return rows, columns, self.costs(rows, columns, drift)

    def _queries(self, drift, rows=slice(None)):
        """Reference atoms (`rows`) shifted by the drift, wrapped into the box (Cartesian)."""
        wrapped = np.mod(_blockwise(fractional, self.reference[rows] + drift, self.h), 1.0)
        return _blockwise(np.matmul, wrapped, self.h.T)
