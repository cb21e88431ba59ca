"""The metabasin level of an ART search: a climbing-image NEB on the search's own energy
surface connects the initial minimum to a near-degenerate neighbour that a side of the
saddle relaxed to (mgrelax.art.engine.NeighbourCheck).

The band runs in-process on the surface the search used (the serial LAMMPS library or an
analytic surface), with the engine's FIRE on all inner images at once: the improved
tangent and the climbing image of Henkelman, Uberuaga and Jonsson (J. Chem. Phys. 113,
9901 (2000); Henkelman and Jonsson, ibid. 113, 9978). LAMMPS's own NEB
(mgrelax.art.neb.run_neb, one MPI rank per replica) stays the independent check of the
barriers (mgrelax.art.neb_check). Lengths in A, energies in eV, forces in eV/A.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mgrelax.art.engine import ArtSettings, Connection, CountingSurface, Fire, Point, unit


@dataclass(frozen=True)
class MetabasinCheck:
    """A mgrelax.art.engine.NeighbourCheck by climbing-image NEB (the art.metabasin config
    section)."""

    energy: float = 0.1
    """eV: the largest energy difference between a neighbour checked and the initial minimum."""
    images: int = 7
    """Images of the band, the two minima included."""
    spring_constant: float = 1.0
    """eV/A^2: spring between neighbouring images."""
    force_tolerance: float = 0.01
    """eV/A: the band has converged when every inner image's NEB force (2-norm) is below this."""
    iterations: int = 1000
    """FIRE steps of the band before it counts as not converged."""

    def __post_init__(self):
        if self.images < 3:
            raise ValueError(f"images = {self.images}: at least 3 (one image to climb)")

    def __call__(self, evaluate: CountingSurface, start: Point, neighbour: Point,
                 settings: ArtSettings) -> Connection:
        return climbing_image_neb(evaluate, start, neighbour, self, settings.max_atom_step)


def climbing_image_neb(evaluate: CountingSurface, start: Point, end: Point,
                       check: MetabasinCheck, max_atom_step: float) -> Connection:
    """The minimum-energy path from ``start`` to ``end`` (two minima, positions not
    wrapped) by climbing-image NEB from the straight line; its barrier is the highest
    image's energy above ``start``'s (with the end images), converged or not."""
    fractions = np.linspace(0.0, 1.0, check.images)[1:-1, None, None]
    inner = start.positions + fractions * (end.positions - start.positions)
    fire = Fire(max_atom_step)
    for iteration in range(1, check.iterations + 1):
        band = [start, *(evaluate(positions) for positions in inner), end]
        forces = neb_forces(evaluate, band, check.spring_constant)
        largest = float(np.max(np.linalg.norm(forces, axis=(1, 2))))
        if largest < check.force_tolerance:
            break
        inner = inner + fire.move(forces)
    return Connection(barrier=max(point.energy for point in band) - start.energy,
                      converged=largest < check.force_tolerance, iterations=iteration)


def neb_forces(evaluate: CountingSurface, band: list[Point], spring_constant: float
               ) -> np.ndarray:
    """NEB forces on the inner images of ``band`` ((images - 2, n, d)): the true force
    perpendicular to the tangent plus the spring force along it; the highest inner image
    climbs (its force along the tangent reversed, no spring)."""
    climbing = 1 + int(np.argmax([point.energy for point in band[1:-1]]))
    forces = []
    for i in range(1, len(band) - 1):
        previous, point, following = band[i - 1:i + 2]
        tangent = unit(evaluate.project(improved_tangent(previous, point, following)))
        force = evaluate.project(point.forces)
        along = np.vdot(force, tangent)
        if i == climbing:
            forces.append(force - 2 * along * tangent)
        else:
            stretch = (np.linalg.norm(following.positions - point.positions)
                       - np.linalg.norm(point.positions - previous.positions))
            forces.append(force - along * tangent + spring_constant * stretch * tangent)
    return np.array(forces)


def improved_tangent(previous: Point, point: Point, following: Point) -> np.ndarray:
    """Henkelman and Jonsson's tangent at ``point``: towards the higher neighbouring image,
    or at an extremum of the band a mix weighted by the energy differences (not unit)."""
    forward = following.positions - point.positions
    backward = point.positions - previous.positions
    if following.energy > point.energy > previous.energy:
        return forward
    if following.energy < point.energy < previous.energy:
        return backward
    smaller, larger = sorted((abs(following.energy - point.energy),
                              abs(previous.energy - point.energy)))
    if following.energy > previous.energy:
        return forward * larger + backward * smaller
    return forward * smaller + backward * larger
