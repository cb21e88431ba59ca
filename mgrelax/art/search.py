"""ART nouveau searches on the clusters of a glass: a centre atom, the atoms pushed
(within push_radius of it), the atoms the lowest mode is sought on until the saddle
(within mode_radius; the saddle itself is checked over all atoms) and, with a frozen
far field, the atoms that move during the activation (within art.engine.moving_radius).

Positions in atom-id order (rows = ids 1..N), lengths in A.
"""

from __future__ import annotations

import numpy as np

from analysis.box import minimum_image, perpendicular_widths
from mgrelax.art.engine import (ArtSettings, EnergySurface, Event, NeighbourCheck, find_saddle,
                         random_push_direction)
from mgrelax.jobs import Progress
from mgrelax.lammps_io import Configuration
from mgrelax.plan import radius_beyond_box


def atoms_within(glass: Configuration, positions: np.ndarray, centre_id: int,
                 radius: float) -> np.ndarray:
    """Mask of the atoms within ``radius`` of atom ``centre_id`` (minimum image)."""
    centre = positions[centre_id - 1]
    return np.linalg.norm(minimum_image(positions - centre, glass.box), axis=1) < radius


def check_radii(radii: dict[str, float], box: np.ndarray) -> None:
    """Refuse (ValueError, one line naming the key) a radius that reaches half the
    narrowest width of ``box`` (mgrelax.plan.radius_beyond_box)."""
    refusal = radius_beyond_box(radii, float(perpendicular_widths(box).min()))
    if refusal:
        raise ValueError(refusal)


def search_cluster(surface: EnergySurface, glass: Configuration, minimum: np.ndarray,
                   centre_id: int, push_radius: float, mode_radius: float,
                   settings: ArtSettings, seed: int,
                   neighbours: NeighbourCheck | None = None,
                   progress: Progress | None = None) -> Event:
    """One search from ``minimum``: a random push of the atoms within ``push_radius`` of
    the centre, the lowest mode sought within ``mode_radius`` (seeded), only the atoms
    within settings.moving_radius moving until a first convergence (where it is set);
    ``neighbours`` connects a saddle out of a near-degenerate neighbour (the metabasin
    level); ``progress`` gets lines on the search while it runs."""
    rng = np.random.default_rng(seed)
    push = random_push_direction(rng, minimum.shape,
                                 atoms_within(glass, minimum, centre_id, push_radius))
    moving = atoms_within(glass, minimum, centre_id, settings.moving_radius) \
        if settings.moving_radius else None
    return find_saddle(surface, minimum, push, settings, seed=seed,
                       region=atoms_within(glass, minimum, centre_id, mode_radius),
                       neighbours=neighbours, moving=moving, progress=progress)
