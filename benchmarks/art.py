"""ART nouveau costs: force calls per converged saddle and the success rate on a glass,
and the Python overhead of one force call against LAMMPS's own force evaluation.

    python benchmarks/art.py --glass results/glass/sample0/T300/inherent/inherent.data
    python benchmarks/art.py --glass ... --searches 40 --overhead-atoms 4000

The glass is an inherent structure of the workflow's glass stage (the default
campaign's 500-atom Cu50Zr50), relaxed once by the engine's minimiser (the common
start, as in the ART stage). Searches start from Cu centres drawn with a fixed seed,
with the config's art.engine and art.metabasin settings, once per --activations and
--variants entry (the same centres and pushes for each, side by side); each variant's
line gives the three levels of issue 19 (first_order, metabasin, strict) with their
Clopper-Pearson 95 % intervals and the force calls. The overhead is measured on a liquid of
--overhead-atoms atoms (a short melt of config/config.yaml's model): the engine's call
(scatter positions, ``run 1 pre no post no``, gather forces, energy) against the bare
``run 1 pre no post no`` at the same positions, the two timed alternately in one run.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.stats import binomtest

from common import DEFAULT_CONFIG, benchmark_config, melt_liquid, work_folder

from analysis.art import success_rate
from analysis.box import perpendicular_widths
from mgrelax.art.engine import (ACTIVATIONS, LEVELS, ArtSettings, CountingSurface, minimise,
                         search_levels)
from mgrelax.art.lammps_surface import FORCE_CALL, open_surface
from mgrelax.art.metabasin import MetabasinCheck
from mgrelax.art.search import check_radii, search_cluster
from mgrelax.lammps_io import read_data_file


VARIANTS = {
    "one_attempt": {},
    "end_at_loss": {"end_at_curvature_loss": 1, "max_attempts": 5},
    "frozen_mode": {"moving_radius": "mode"},
    "frozen_max": {"moving_radius": "max"},
    "art_climb": {"min_mode_climb": "art"},
    "partn_perp": {"min_mode_climb": "art", "perpendicular_rule": "partn"},
    "partial_perp": {"convex_perpendicular_steps": 2},
    "deep_exit": {"eigenvalue_threshold": -0.5},
    "retry3": {"max_attempts": 3},
    "retry5": {"max_attempts": 5},
}
"""Engine variants measured side by side (issue 19): changes to the config's art.engine
with one attempt per search (max_attempts 1) unless the variant says otherwise.
one_attempt: no other change (printed as "current" before config/config.yaml made 3
attempts the default); (1) end_at_loss: an attempt ends at the first loss of negative curvature after the basin
and the search pushes again along a new direction, up to 5 attempts; (2) frozen_mode,
frozen_max: a frozen far field, only the atoms within the mode radius, or within the
largest radius the box allows (half its narrowest width rounded down to 0.1 A, less
0.1 A), move until the restricted saddle converges; (3) partn_perp: at negative curvature ART's Newton steps
with pARTn's perpendicular limits and stop rules (art_climb: the same climb with the
growing limit, the control); (4) partial_perp: 2 perpendicular relaxation steps after
each step up the mode at positive curvature; (5) deep_exit: the basin is left at an
eigenvalue of -0.5 eV/A^2 (pARTn -0.49) instead of -0.05; retry3, retry5: up to 3 or 5
attempts along new directions until one reaches the metabasin level (every attempt's
force calls counted)."""
DEFAULT_VARIANTS = ["one_attempt", "frozen_mode", "frozen_max", "art_climb", "partn_perp",
                    "partial_perp", "deep_exit", "retry3", "retry5"]
"""The variants run unless --variants says otherwise (end_at_loss was measured, and
rejected, before the others existed)."""


def variant_settings(engine: ArtSettings, variant: str, activation: str, mode_radius: float,
                     box: np.ndarray) -> ArtSettings:
    """The config's engine with one attempt, changed as ``variant`` says; moving radii
    "mode" and "max" are the mode radius and the largest radius the box allows."""
    changes = {"max_attempts": 1, **VARIANTS[variant]}
    radius = changes.get("moving_radius")
    if radius == "mode":
        changes["moving_radius"] = mode_radius
    elif radius == "max":
        changes["moving_radius"] = np.floor(10 * perpendicular_widths(box).min() / 2) / 10 - 0.1
    return replace(engine, activation=activation, **changes)


def replicated_glass(config: dict, model, glass_file: Path, workdir: Path, copies: int) -> Path:
    """The glass repeated ``copies`` times along each box vector, as a data file (the
    engine's minimiser relaxes it again before the searches)."""
    replica = workdir / f"replica{copies}.data"
    with open_surface(config, model, workdir / "replicate", glass_file) as surface:
        surface.lmp.command(f"replicate {copies} {copies} {copies}")
        surface.lmp.command(f"write_data {replica.resolve()}")
    return replica


def search_costs(config: dict, model, glass_file: Path, workdir: Path, searches: int,
                 push_radius: float, mode_radius: float, seed: int,
                 settings: ArtSettings, variant: str) -> list:
    """Run ``searches`` searches from Cu centres (drawn with ``seed``) and print each one
    and the line of the variant: every level with its Clopper-Pearson interval, the
    force calls and the outcomes; returns the events."""
    glass = read_data_file(glass_file)
    check_radii({"--push-radius": push_radius, "--mode-radius": mode_radius,
                 "moving_radius": settings.moving_radius}, glass.box)
    surface = open_surface(config, model, workdir / "surface", glass_file)
    neighbours = MetabasinCheck(**config["art"]["metabasin"])
    minimum = minimise(CountingSurface(surface, settings.max_force), surface.initial_positions,
                       settings).positions
    centres = np.random.default_rng(seed).choice(glass.ids[glass.types == model.type_of("Cu")],
                                                 size=searches, replace=False)
    events, began = [], time.perf_counter()
    for number, centre in enumerate(centres):
        event = search_cluster(surface, glass, minimum, int(centre), push_radius, mode_radius,
                               settings, seed=number, neighbours=neighbours)
        events.append(event)
        print(f"  search {number:3d} centre {centre:5d}: {event.status:22s} "
              f"E_a {event.activation_energy:7.3f} eV (saddle "
              f"{event.saddle_energy - event.initial_energy:7.3f}), {event.force_calls:5d} "
              f"force calls in {event.attempts} attempt(s) (+{event.verification_force_calls} "
              f"to verify, +{event.neb_force_calls} NEB); neighbour "
              f"{event.neighbour_energy - event.initial_energy:+.3f} eV, path top "
              f"{event.neighbour_barrier:.3f} eV, {event.neighbour_distance:.2f} A",
              flush=True)
    wall = time.perf_counter() - began
    surface.close()
    print(f"art searches N={glass.n_atoms} ({settings.activation}, {variant}"
          f"{f', moving radius {settings.moving_radius:g} A' if settings.moving_radius else ''}): "
          f"{levels_text(events)}; {wall / len(events):.1f} s per search; outcomes "
          f"{dict(Counter(e.status for e in events))}")
    return events


def paired_text(events: list, reference: list) -> str:
    """Each level's searches gained and lost against ``reference`` (the same centres and
    pushes, search by search) with the exact McNemar p-value (two-sided binomial test of
    the gains among the changed searches)."""
    parts = []
    for level in LEVELS:
        reached = [(search_levels(e.status)[level], search_levels(r.status)[level])
                   for e, r in zip(events, reference)]
        gained = sum(new and not old for new, old in reached)
        lost = sum(old and not new for new, old in reached)
        p_value = binomtest(gained, gained + lost).pvalue if gained + lost else 1.0
        parts.append(f"{level} +{gained} -{lost} (exact McNemar p = {p_value:.3f})")
    return ", ".join(parts)


def levels_text(events: list) -> str:
    """Each level's count of the searches with its Clopper-Pearson 95 % interval, and the
    median force calls to a metabasin saddle (failed attempts included) and of the NEB
    checks of near-degenerate neighbours."""
    parts = []
    for level in LEVELS:
        rate = success_rate(sum(search_levels(e.status)[level] for e in events), len(events))
        low, high = (100 * bound for bound in rate.interval)
        parts.append(f"{level} {rate.successes}/{rate.searches} ({100 * rate.rate:.0f} %, "
                     f"95 % CI {low:.0f}-{high:.0f} %)")
    calls = [e.force_calls for e in events if search_levels(e.status)["metabasin"]]
    neb = [e.neb_force_calls for e in events if e.neb_force_calls]
    parts.append(f"median {np.median(calls) if calls else np.nan:.0f} force calls per "
                 f"metabasin saddle (failed attempts included), all searches "
                 f"{np.median([e.force_calls for e in events]):.0f}")
    parts.append(f"{len(neb)} neighbour NEB checks, median {np.median(neb) if neb else np.nan:.0f} "
                 "force calls")
    return ", ".join(parts)


def force_call_overhead(config: dict, model, workdir: Path, calls: int) -> None:
    liquid = melt_liquid(config, model, workdir / "melt")
    surface = open_surface(config, model, workdir / "overhead", liquid)
    positions = surface.initial_positions.copy()
    engine, bare = [], []
    for _ in range(calls):
        began = time.perf_counter()
        surface.energy_forces(positions)
        engine.append(time.perf_counter() - began)
        began = time.perf_counter()
        surface.lmp.command(FORCE_CALL)
        bare.append(time.perf_counter() - began)
    surface.close()
    engine_ms, bare_ms = 1e3 * np.median(engine), 1e3 * np.median(bare)
    print(f"force call N={surface.n_atoms}: engine {engine_ms:.2f} ms, LAMMPS run 1 "
          f"{bare_ms:.2f} ms (medians of {calls}), Python overhead "
          f"{100 * (engine_ms - bare_ms) / bare_ms:.1f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--glass", type=Path, help="inherent-structure data file")
    parser.add_argument("--searches", type=int, default=20)
    parser.add_argument("--push-radius", type=float, default=3.5, help="A")
    parser.add_argument("--mode-radius", type=float, default=7.0, help="A")
    parser.add_argument("--overhead-atoms", type=int, default=4000)
    parser.add_argument("--overhead-calls", type=int, default=200)
    parser.add_argument("--melt-ps", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--activations", nargs="+", choices=ACTIVATIONS, default=ACTIVATIONS)
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=DEFAULT_VARIANTS)
    parser.add_argument("--replicate", type=int, default=1,
                        help="search on the glass repeated this many times along each box "
                             "vector (2: the 4000-atom replica of the 500-atom glass)")
    parser.add_argument("--skip-overhead", action="store_true",
                        help="leave out the force-call overhead measurement")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    with work_folder(args.workdir) as workdir:
        config, model = benchmark_config(args.config, args.overhead_atoms, 100, args.melt_ps)
        if not args.skip_overhead:
            force_call_overhead(config, model, workdir, args.overhead_calls)
        engine = ArtSettings(**config["art"]["engine"])
        glass = args.glass and (args.glass if args.replicate == 1 else replicated_glass(
            config, model, args.glass, workdir, args.replicate))
        for activation in glass and args.activations or ():
            reference = None
            for variant in args.variants:
                settings = variant_settings(engine, variant, activation, args.mode_radius,
                                            read_data_file(glass).box)
                events = search_costs(config, model, glass, workdir, args.searches,
                                      args.push_radius, args.mode_radius, args.seed,
                                      settings, variant)
                if reference is None:
                    reference, first = events, variant
                else:
                    print(f"  paired against {first}: {paired_text(events, reference)}")


if __name__ == "__main__":
    main()
