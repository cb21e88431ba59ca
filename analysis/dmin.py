"""Non-affine and minimal displacements between two configurations of a periodic cell.

d2min
    Falk-Langer local non-affine squared displacement D2min of each atom, the plain
    sum over its reference neighbours (OVITO's "Nonaffine Squared Displacement").
is_dmin
    Inherent-structure minimal displacement IS D_min: the RMS displacement between
    two configurations minimised over relabellings of identical atoms (linear sum
    assignment per species), with the centre-of-mass drift removed.

Boxes follow analysis.box: h has the box vectors as columns, r = h @ s. Lengths are
in the unit of the positions.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial import cKDTree

from analysis.box import fractional, images_near_box, minimum_image, perpendicular_widths

MIN_NEIGHBOURS = 3
"""Least number of neighbours that determine a local 3-D affine map."""

MAX_DRIFT_ITERATIONS = 10
"""Most alternations of assignment and drift removal in is_dmin (2 suffice in practice)."""

COST_BLOCK_PAIRS = 2**21
"""Atom pairs per block when filling the IS D_min cost matrix (bounds the temporaries)."""


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
    displacements : (N, 3) minimum-image current[assignment] - reference - drift (length).
    drift : (3,) removed uniform (centre-of-mass) translation (length).
    """

    dmin: float
    assignment: np.ndarray
    displacements: np.ndarray
    drift: np.ndarray


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
    d0 = minimum_image(r0[j] - r0[i], h0)
    d1 = minimum_image(r1[j] - r1[i], h1)
    n = len(r0)
    x = _sum_per_atom(np.einsum("pa,pb->pab", d1, d0), i, n)
    y = _sum_per_atom(np.einsum("pa,pb->pab", d0, d0), i, n)
    n_neighbours = np.bincount(i, minlength=n)
    valid = n_neighbours >= MIN_NEIGHBOURS
    affine_maps = np.full((n, 3, 3), np.nan)
    affine_maps[valid] = x[valid] @ np.linalg.pinv(y[valid], hermitian=True)
    residuals = d1 - np.einsum("pab,pb->pa", affine_maps[i], d0)
    squared = np.where(valid[i], np.sum(residuals**2, axis=1), 0.0)
    return NonaffineDisplacement(
        d2min=np.bincount(i, weights=squared, minlength=n),
        n_neighbours=n_neighbours,
        valid=valid,
        affine_maps=affine_maps,
    )


def is_dmin(reference, current, box, types):
    """Inherent-structure minimal displacement IS D_min (Yu, Gao, Gao & Samwer, Eqs. 2-3).

    IS D_min = [min (1/N) sum_ij C_ij X_ij]^(1/2), with C_ij the squared distance
    between atom i of `reference` and atom j of `current`, X a permutation matrix
    that only matches atoms of the same type, and N all atoms. Each species is
    solved exactly with scipy's linear_sum_assignment on its dense cost matrix.

    Distances are minimum images after removing a uniform drift c (not in the
    paper's Eq. 2; it makes D_min zero for a rigid translation): C_ij =
    |mi(current_j - reference_i - c)|^2. c starts as the mean labelled minimum-image
    displacement; then the assignment (optimal for fixed c) and c += mean displacement
    (optimal for fixed assignment) alternate until the assignment repeats (at most
    MAX_DRIFT_ITERATIONS times), which never increases the objective. Without
    periodic images the mean displacement does not depend on the relabelling, so
    the first drift is already optimal.

    Parameters
    ----------
    reference, current : array_like, shape (N, 3)
        Cartesian positions (length), e.g. two inherent structures; need not be wrapped.
    box : array_like, shape (3, 3)
        Box matrix h (columns are the box vectors). Minimum images are exact for
        displacements below half its smallest perpendicular width.
    types : array_like, shape (N,)
        Atom type of each atom, the same in both configurations.

    Returns
    -------
    MinimalDisplacement

    Notes
    -----
    The cost matrix of a species with n atoms takes 8 n^2 bytes and the assignment
    O(n^3) time: practical up to about 10^4 atoms per species (0.8 GB).
    """
    r0, r1 = _paired_positions(reference, current)
    h = np.asarray(box, dtype=float)
    types = np.asarray(types)
    if types.shape != (len(r0),):
        raise ValueError(f"types must have shape ({len(r0)},), got {types.shape}")
    species = [np.flatnonzero(types == t) for t in np.unique(types)]
    drift = np.mean(minimum_image(r1 - r0, h), axis=0)
    assignment = None
    for _ in range(MAX_DRIFT_ITERATIONS):
        previous, assignment = assignment, _optimal_assignment(r0, r1 - drift, h, species)
        displacements = minimum_image(r1[assignment] - r0 - drift, h)
        drift = drift + displacements.mean(axis=0)
        if np.array_equal(assignment, previous):
            break
    displacements = minimum_image(r1[assignment] - r0 - drift, h)
    return MinimalDisplacement(
        dmin=float(np.sqrt(np.mean(np.sum(displacements**2, axis=1)))),
        assignment=assignment,
        displacements=displacements,
        drift=drift,
    )


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
    s = np.mod(fractional(positions, h), 1.0)
    images, owner = images_near_box(s, h, cutoff)
    pairs = cKDTree(s @ h.T).sparse_distance_matrix(cKDTree(images), cutoff,
                                                     output_type="ndarray")
    i, j = pairs["i"], owner[pairs["j"]]
    distinct = i != j
    return i[distinct], j[distinct]


def _sum_per_atom(values, atom, n_atoms):
    """Sum of per-pair (P, 3, 3) values onto their first atom: (n_atoms, 3, 3)."""
    total = np.zeros((n_atoms, 3, 3))
    np.add.at(total, atom, values)
    return total


def _optimal_assignment(reference, current, h, species):
    """Relabelling within each species that minimises the summed squared distances."""
    assignment = np.empty(len(reference), dtype=int)
    for atoms in species:
        rows, columns = linear_sum_assignment(
            _squared_distances(reference[atoms], current[atoms], h))
        assignment[atoms[rows]] = atoms[columns]
    return assignment


def _squared_distances(reference, current, h):
    """Cost matrix C_ij = |mi(current_j - reference_i)|^2 (length**2).

    Minimum images by rounding fractional separations, as analysis.box.minimum_image,
    worked out per Cartesian component in row blocks to bound the temporaries.
    """
    s0, s1 = fractional(reference, h), fractional(current, h)
    cost = np.empty((len(s0), len(s1)))
    for rows in np.array_split(np.arange(len(s0)), max(1, cost.size // COST_BLOCK_PAIRS)):
        ds = [s1[:, b] - s0[rows, b, None] for b in range(3)]
        ds = [d - np.round(d) for d in ds]
        cartesian = [h[a, 0] * ds[0] + h[a, 1] * ds[1] + h[a, 2] * ds[2] for a in range(3)]
        cost[rows] = sum(d**2 for d in cartesian)
    return cost
