"""Periodic simulation boxes as the matrix h whose columns are the box vectors.

LAMMPS builds h = [[lx, xy, xz], [0, ly, yz], [0, 0, lz]]: a = (lx, 0, 0),
b = (xy, ly, 0), c = (xz, yz, lz) are its columns, and a position is
r = origin + h @ s with fractional coordinates s in [0, 1). Lengths are in the
unit of the positions (Angstrom for metal models, sigma for LJ).
"""

import itertools

import numpy as np

NEAREST_SHIFTS = np.array(list(itertools.product((-1, 0, 1), repeat=3)))


def box_matrix(lengths, tilts=(0.0, 0.0, 0.0)) -> np.ndarray:
    """h from LAMMPS's box lengths (lx, ly, lz) and tilt factors (xy, xz, yz)."""
    lx, ly, lz = lengths
    xy, xz, yz = tilts
    return np.array([[lx, xy, xz], [0.0, ly, yz], [0.0, 0.0, lz]], dtype=float)


def volume(h) -> float:
    """Box volume (length**3)."""
    return float(abs(np.linalg.det(np.asarray(h, dtype=float))))


def perpendicular_widths(h) -> np.ndarray:
    """Distances between the three pairs of opposite box faces (length)."""
    h = np.asarray(h, dtype=float)
    a, b, c = h.T
    areas = np.linalg.norm([np.cross(b, c), np.cross(c, a), np.cross(a, b)], axis=1)
    return volume(h) / areas


def fractional(positions, h) -> np.ndarray:
    """Fractional coordinates s of Cartesian positions (N, 3): positions = s @ h.T."""
    return np.asarray(positions, dtype=float) @ np.linalg.inv(np.asarray(h, dtype=float)).T


def minimum_image(displacements, h) -> np.ndarray:
    """Displacement vectors (N, 3) mapped to their nearest periodic image.

    Exact for displacements shorter than half the smallest perpendicular width;
    for strongly tilted boxes LAMMPS keeps tilts below half a box length, which
    keeps the rounding in fractional coordinates exact in that range.
    """
    h = np.asarray(h, dtype=float)
    s = fractional(displacements, h)
    return (s - np.round(s)) @ h.T


def images_near_box(wrapped_fractional, h, distance) -> tuple[np.ndarray, np.ndarray]:
    """Cartesian periodic images of atoms (fractional coordinates in [0, 1)) that lie
    within ``distance`` of the box, and the index of the atom each image belongs to.

    For distance up to half the smallest perpendicular width these come from the 27
    nearest box shifts, so pair searches against them find each periodic pair once.
    """
    s = np.asarray(wrapped_fractional, dtype=float)
    images = (s[None, :, :] + NEAREST_SHIFTS[:, None, :]).reshape(-1, 3)
    margin = distance / perpendicular_widths(h)
    near = np.all((images >= -margin) & (images <= 1 + margin), axis=1)
    owner = np.tile(np.arange(len(s)), len(NEAREST_SHIFTS))[near]
    return images[near] @ np.asarray(h, dtype=float).T, owner
