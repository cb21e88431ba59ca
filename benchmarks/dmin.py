"""IS D_min by the certified sparse assignment against the dense one, and D2min, on
constructed Cu50Zr50-like configurations.

Configurations: a simple-cubic lattice with --density (atoms/A^3) and some sites left
empty, each atom jittered by up to 8 % of the spacing per axis (no pair closer than
0.84 spacings, 2.15 A at 0.058 atoms/A^3), half the atoms of each type. Pairs of them:

* glass: current = reference + thermal displacements (Gaussian, --thermal A per axis,
  cut at 2.5 standard deviations: at most 0.65 A) after atoms of one type exchanged
  sites in rings of 2 and 3 nearest neighbours (--ring-fraction of the atoms). Each
  site is then nearer to the atom on it than to any other (at least 1.5 A away), so
  the relabelling that undoes the rings is the known optimum.
* liquid: current = reference + Gaussian displacements of --spread A per axis (several
  neighbour distances, a supercooled liquid over a long time), so the optimal
  relabelling moves most atoms.

Printed, with wall-clock seconds:

* is_dmin at --atoms atoms for both pairs (best of --repeats runs), side by side with
  one dense solve (the same drift iteration with each species solved, as before, by
  scipy's linear_sum_assignment on its full cost matrix) and its D_min;
* is_dmin on a glass pair of --large-atoms atoms, checked against the planted optimum,
  with the peak RSS of the process that built and solved it (resource.getrusage);
* d2min (cutoff --cutoff A, the first minimum of g(r)) at --d2min-atoms and at
  --large-atoms atoms of a glass pair, with peak RSS.

Each large run goes to a fresh process (this script with --stage), so that its peak
RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial import cKDTree

from analysis import dmin
from analysis.box import box_matrix, fractional, minimum_image

DENSE_BLOCK_PAIRS = 2**21
"""Atom pairs per block when filling a dense cost matrix."""


def glass_configuration(n_atoms: int, density: float, rng):
    """Positions (n_atoms, 3), cubic box h and types 1/2 (half each) of a jittered lattice."""
    length = (n_atoms / density) ** (1 / 3)
    per_side = int(np.ceil(n_atoms ** (1 / 3)))
    spacing = length / per_side
    sites = np.stack(np.meshgrid(*[np.arange(per_side)] * 3, indexing="ij"), axis=-1)
    sites = sites.reshape(-1, 3)[rng.choice(per_side**3, n_atoms, replace=False)]
    positions = (sites + 0.5 + rng.uniform(-0.08, 0.08, (n_atoms, 3))) * spacing
    types = rng.permutation(np.arange(n_atoms) % 2) + 1
    return positions, box_matrix((length, length, length)), types


def exchange_rings(positions, types, fraction: float, rng) -> np.ndarray:
    """Site of each atom after rings of 2 and 3 nearest atoms of one type (about
    `fraction` of the atoms) moved one site on: site[label]."""
    site = np.arange(len(positions))
    moved = np.zeros(len(positions), dtype=bool)
    for kind in np.unique(types):
        atoms = np.flatnonzero(types == kind)
        _, nearest = cKDTree(positions[atoms]).query(positions[atoms], k=6)
        for seed in rng.permutation(len(atoms))[: int(fraction * len(atoms) / 2.5)]:
            free = [a for a in atoms[nearest[seed]] if not moved[a]]
            ring = free[: rng.choice([2, 3])]
            if len(ring) > 1 and ring[0] == atoms[seed]:
                site[ring] = np.roll(ring, -1)
                moved[ring] = True
    return site


def glass_pair(positions, types, thermal: float, ring_fraction: float, rng):
    """Current positions of a glass pair and the planted optimal assignment."""
    site = exchange_rings(positions, types, ring_fraction, rng)
    noise = np.clip(rng.normal(0.0, thermal, positions.shape), -2.5 * thermal, 2.5 * thermal)
    planted = np.empty(len(positions), dtype=np.int64)
    planted[site] = np.arange(len(positions))
    return positions[site] + noise, planted


def dense_relabelling(pairs, drift, start, improve):
    """Stand-in for analysis.dmin._PeriodicPairs.relabelling, as is_dmin solved each
    species before: linear_sum_assignment on the full cost matrix, filled in blocks of
    rows from fractional separations rounded to the nearest image per component."""
    h, n = pairs.h, len(pairs.reference)
    s0, s1 = fractional(pairs.reference, h), fractional(pairs.current - drift, h)
    cost = np.empty((n, n))
    for rows in np.array_split(np.arange(n), max(1, n * n // DENSE_BLOCK_PAIRS)):
        ds = [s1[:, b] - s0[rows, b, None] for b in range(3)]
        ds = [d - np.round(d) for d in ds]
        cost[rows] = sum((h[a, 0] * ds[0] + h[a, 1] * ds[1] + h[a, 2] * ds[2]) ** 2
                         for a in range(3))
    rows, columns = linear_sum_assignment(cost)
    return SimpleNamespace(columns=columns, widenings=0, lower_bound=cost[rows, columns].sum())


def timed(function, *arguments, repeats: int = 1):
    """(result, least wall-clock seconds of `repeats` calls)."""
    seconds = []
    for _ in range(repeats):
        began = time.perf_counter()
        result = function(*arguments)
        seconds.append(time.perf_counter() - began)
    return result, min(seconds)


def compare_with_dense(name: str, reference, current, box, types, repeats: int) -> None:
    """Print the sparse (best of `repeats`) and the dense is_dmin of one pair, side by side."""
    sparse, sparse_seconds = timed(dmin.is_dmin, reference, current, box, types,
                                   repeats=repeats)
    with mock.patch.object(dmin._PeriodicPairs, "relabelling", dense_relabelling):
        dense, dense_seconds = timed(dmin.is_dmin, reference, current, box, types)
    same = "identical" if abs(sparse.dmin - dense.dmin) <= 1e-12 * dense.dmin else "DIFFERENT"
    assignments = "equal" if np.array_equal(sparse.assignment, dense.assignment) else "differ"
    print(f"is_dmin {name} N={len(reference)}: sparse {sparse_seconds:.3g} s, dense "
          f"{dense_seconds:.3g} s, speed-up {dense_seconds / sparse_seconds:.0f}x, D_min "
          f"{sparse.dmin:.10f} vs {dense.dmin:.10f} A ({same}; {sparse.widenings} widenings, "
          f"assignments {assignments})", flush=True)


def peak_rss_gb() -> float:
    """Peak resident set size of this process so far (GB; ru_maxrss is in kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def large_glass_stage(args) -> dict:
    """is_dmin of a glass pair of args.atoms atoms, against its planted optimum."""
    rng = np.random.default_rng(args.seed)
    reference, box, types = glass_configuration(args.atoms, args.density, rng)
    current, planted = glass_pair(reference, types, args.thermal, args.ring_fraction, rng)
    result, seconds = timed(dmin.is_dmin, reference, current, box, types)
    labelled = minimum_image(current[planted] - reference, box)
    expected = np.sqrt(np.mean(np.sum((labelled - labelled.mean(axis=0)) ** 2, axis=1)))
    return dict(seconds=seconds, rss=peak_rss_gb(), dmin=result.dmin, expected=expected,
                planted=bool(np.array_equal(result.assignment, planted)),
                moved=int(np.sum(planted != np.arange(args.atoms))), widenings=result.widenings)


def d2min_stage(args) -> dict:
    """d2min of a glass pair of args.atoms atoms."""
    rng = np.random.default_rng(args.seed)
    reference, box, types = glass_configuration(args.atoms, args.density, rng)
    current, _ = glass_pair(reference, types, args.thermal, args.ring_fraction, rng)
    result, seconds = timed(dmin.d2min, reference, current, box, box, args.cutoff)
    return dict(seconds=seconds, rss=peak_rss_gb(), neighbours=float(result.n_neighbours.mean()))


STAGES = {"large-glass": large_glass_stage, "d2min": d2min_stage}


def in_fresh_process(stage: str, args, atoms: int) -> dict:
    """Run a stage of this script in a new Python process; its JSON result."""
    command = [sys.executable, str(Path(__file__).resolve()), "--stage", stage,
               "--atoms", str(atoms), "--seed", str(args.seed), "--density", str(args.density),
               "--thermal", str(args.thermal), "--ring-fraction", str(args.ring_fraction),
               "--cutoff", str(args.cutoff)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atoms", type=int, default=9088, help="atoms compared with the dense "
                                                                "solve (default 9088)")
    parser.add_argument("--large-atoms", type=int, default=1_000_000,
                        help="atoms of the large runs (default 1000000)")
    parser.add_argument("--d2min-atoms", type=int, default=20_000,
                        help="atoms of the smaller d2min run (default 20000)")
    parser.add_argument("--density", type=float, default=0.058, help="atoms/A^3 (default 0.058)")
    parser.add_argument("--thermal", type=float, default=0.15,
                        help="glass: thermal displacement per axis, A (default 0.15)")
    parser.add_argument("--ring-fraction", type=float, default=0.05,
                        help="glass: fraction of atoms in exchange rings (default 0.05)")
    parser.add_argument("--spread", type=float, default=5.0,
                        help="liquid: displacement per axis, A (default 5)")
    parser.add_argument("--cutoff", type=float, default=3.7, help="d2min cutoff, A (default 3.7)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="sparse is_dmin runs compared with one dense run; the best "
                             "counts (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        print(json.dumps(STAGES[args.stage](args)))
        return

    rng = np.random.default_rng(args.seed)
    reference, box, types = glass_configuration(args.atoms, args.density, rng)
    current, _ = glass_pair(reference, types, args.thermal, args.ring_fraction, rng)
    compare_with_dense("glass", reference, current, box, types, args.repeats)
    current = reference + rng.normal(0.0, args.spread, reference.shape)
    compare_with_dense("liquid", reference, current, box, types, args.repeats)

    large = in_fresh_process("large-glass", args, args.large_atoms)
    print(f"is_dmin glass N={args.large_atoms}: {large['seconds']:.3g} s, peak RSS "
          f"{large['rss']:.2f} GB, D_min {large['dmin']:.10f} A (planted optimum "
          f"{large['expected']:.10f} A, {large['moved']} atoms in rings, assignment "
          f"{'planted' if large['planted'] else 'NOT PLANTED'}; {large['widenings']} widenings)",
          flush=True)
    small, big = (in_fresh_process("d2min", args, atoms)
                  for atoms in (args.d2min_atoms, args.large_atoms))
    print(f"d2min N={args.d2min_atoms}: {small['seconds']:.3g} s; N={args.large_atoms}: "
          f"{big['seconds']:.3g} s, peak RSS {big['rss']:.2f} GB (cutoff {args.cutoff} A, "
          f"{big['neighbours']:.1f} neighbours per atom)")


if __name__ == "__main__":
    main()
