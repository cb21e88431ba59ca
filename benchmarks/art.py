"""ART nouveau costs: force calls per converged saddle and the success rate on a glass,
and the Python overhead of one force call against LAMMPS's own force evaluation.

    python benchmarks/art.py --glass results/glass/sample0/T300/inherent/inherent.data
    python benchmarks/art.py --glass ... --searches 40 --overhead-atoms 4000

The glass is an inherent structure of the workflow's glass stage (the default
campaign's 500-atom Cu50Zr50). Searches start from Cu centres drawn with a fixed
seed, with the config's art.engine settings, once per --activations entry (the same
centres and pushes for each, side by side). The overhead is measured on a liquid of
--overhead-atoms atoms (a short melt of config/config.yaml's model): the engine's call
(scatter positions, ``run 1 pre no post no``, gather forces, energy) against the bare
``run 1 pre no post no`` at the same positions, the two timed alternately in one run.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from common import DEFAULT_CONFIG, benchmark_config, melt_liquid, work_folder

from mgrelax.art import ACTIVATIONS, FIRST_ORDER, SADDLE, ArtSettings
from mgrelax.art_search import search_cluster
from mgrelax.lammps_io import read_data_file
from mgrelax.lammps_surface import FORCE_CALL, open_surface


def search_costs(config: dict, model, glass_file: Path, workdir: Path, searches: int,
                 push_radius: float, mode_radius: float, seed: int,
                 settings: ArtSettings) -> None:
    glass = read_data_file(glass_file)
    surface = open_surface(config, model, workdir / "surface", glass_file)
    centres = np.random.default_rng(seed).choice(glass.ids[glass.types == model.type_of("Cu")],
                                                 size=searches, replace=False)
    events, began = [], time.perf_counter()
    for number, centre in enumerate(centres):
        event = search_cluster(surface, glass, surface.initial_positions, int(centre),
                               push_radius, mode_radius, settings, seed=number)
        events.append(event)
        print(f"  search {number:3d} centre {centre:5d}: {event.status:22s} "
              f"E_a {event.activation_energy:7.3f} eV, {event.force_calls:4d} force calls "
              f"(+{event.verification_force_calls} to verify)", flush=True)
    wall = time.perf_counter() - began
    surface.close()
    found = [e for e in events if e.status == SADDLE]
    first_order = [e for e in events if e.status in FIRST_ORDER]
    calls = [e.force_calls for e in found]
    statuses = {s: sum(e.status == s for e in events) for s in {e.status for e in events}}
    print(f"art searches N={glass.n_atoms} ({settings.activation}): {len(found)}/{len(events)} "
          f"verified saddles "
          f"({100 * len(found) / len(events):.0f} %), median {np.median(calls) if calls else 0:.0f} "
          f"force calls per saddle (quartiles {np.percentile(calls, 25) if calls else 0:.0f}-"
          f"{np.percentile(calls, 75) if calls else 0:.0f}), {wall / len(events):.1f} s per "
          f"search; outcomes {statuses}; first-order saddles (connected to the start or "
          f"not) {len(first_order)}/{len(events)}")


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
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    with work_folder(args.workdir) as workdir:
        config, model = benchmark_config(args.config, args.overhead_atoms, 100, args.melt_ps)
        force_call_overhead(config, model, workdir, args.overhead_calls)
        engine = ArtSettings(**config["art"]["engine"])
        for activation in args.glass and args.activations or ():
            search_costs(config, model, args.glass, workdir, args.searches, args.push_radius,
                         args.mode_radius, args.seed, replace(engine, activation=activation))


if __name__ == "__main__":
    main()
