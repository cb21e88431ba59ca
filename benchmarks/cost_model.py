"""Cost model of issue 21: the measured cost per atom-step of each stage of a finished
campaign, and the core-hours each config would take at that cost.

Prints the cost per (stage, kind) of the campaign in --results (mgrelax.cost), the
counts taken from it (force calls per ART search, force evaluations per minimisation),
the estimate of each --configs file, and a check: the campaign's own config
(as its provenance.json records it, or --own-config) predicted from its own
measurement against the core-seconds measured.
A config whose potential file is not here is validated with the shipped potential of
the same species (mgrelax.cost.config_for_costing).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from mgrelax.config import model_of, validate_config
from mgrelax.cost import (campaign_work, config_for_costing, cost_estimate, format_cost_lines,
                          measured_costs, measured_counts)
from mgrelax.provenance import provenance_files, provenance_table

REPO = Path(__file__).resolve().parent.parent
CONFIGS = sorted((REPO / "config").glob("paper_*.yaml")) + [REPO / "config" / "config.yaml"]
MICRO = 1e6
UNITS = {"md": "atom-step", "minimisation": "atom-evaluation", "force_call": "atom-force-call"}
"""What the cost of each kind of work is per."""


def recorded_config(results: Path) -> tuple[dict, str]:
    """The config that the campaign's first run records in its provenance.json,
    validated, and that file's path."""
    path = provenance_files(results)[0]
    return (validate_config(json.loads(path.read_text())["config"]),
            str(path.relative_to(results)))


def measured_model(results: Path) -> str:
    """The potentials the campaign's runs used."""
    return ", ".join(sorted(set(provenance_table(results).model.dropna())))


def cost_lines(costs: pd.DataFrame) -> list[str]:
    """One line per (stage, kind): median and 16-84th percentile cost per atom-step."""
    return [f"  {stage} {kind}: {row['median'] * MICRO:.2f} core-us per {UNITS[kind]} "
            f"({row.p16 * MICRO:.2f}-{row.p84 * MICRO:.2f}; pooled {row.pooled * MICRO:.2f}), "
            f"{row.loops:.0f} loops in {row.runs:.0f} runs, {row.atom_steps:.3g} atom-steps, "
            f"{row.core_seconds:.0f} core-s"
            for (stage, kind), row in costs.iterrows()]


def summary_median(results: Path) -> float:
    """art/summary.json's median force calls to a first-order saddle (for comparison)."""
    path = results / "art" / "summary.json"
    return json.loads(path.read_text())["levels"]["first_order"]["median_force_calls"] \
        if path.is_file() else float("nan")


def self_check(config: dict, costs: pd.DataFrame, counts) -> list[str]:
    """The campaign's own config predicted from its own measurement, per stage, against
    the core-seconds and atom-steps measured (the NEB checks are left out: their runs
    have no provenance.json and are not measured)."""
    work = campaign_work(config, model_of(config), counts)
    predicted = cost_estimate(work[work.process != "art_neb"], costs)
    measured = costs.groupby(level="stage", sort=False)[["core_seconds", "atom_steps"]].sum()
    lines = [f"{stage}: predicted {predicted.core_hours[stage] * 3600:.0f} core-s, "
             f"measured {measured.core_seconds[stage]:.0f} core-s; atom-steps predicted "
             f"{predicted.atom_steps[stage]:.4g}, measured {measured.atom_steps[stage]:.4g}"
             for stage in measured.index]
    total, loops = predicted.core_hours["total"] * 3600, measured.core_seconds.sum()
    lines.append(f"total: predicted {total:.0f} core-s, measured {loops:.0f} core-s "
                 f"(ratio {total / loops:.2f})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=Path("results"),
                        help="a finished campaign's results folder")
    parser.add_argument("--configs", type=Path, nargs="+", default=CONFIGS)
    parser.add_argument("--own-config", type=Path,
                        help="the config the campaign in --results ran (default: the one "
                             "its first provenance.json records)")
    args = parser.parse_args()
    if not provenance_files(args.results):
        raise SystemExit(f"no LAMMPS runs (provenance.json) in {args.results}")
    costs, counts = measured_costs(args.results), measured_counts(args.results)
    potential = measured_model(args.results)
    print(f"measured in {args.results} ({potential}):")
    print("\n".join(cost_lines(costs)))
    print(f"  counts: {counts.force_calls_per_search:.0f} force calls per ART search (mean of "
          f"all searches, every call; art/summary.json's median to a first-order saddle: "
          f"{summary_median(args.results):.0f}), {counts.evaluations_per_minimisation:.0f} "
          "force evaluations per inherent-structure minimisation (median)")
    for path in args.configs:
        config, change = config_for_costing(path)
        changes = [change] if change else []
        if config["model"] != potential:
            changes.append(f"{config['model']} costed at the {potential} cost")
        label = path.name + "".join(f" [{text}]" for text in changes)
        work = campaign_work(config, model_of(config), counts)
        print("\n".join(format_cost_lines(cost_estimate(work, costs), label)))
    own, source = (config_for_costing(args.own_config)[0], args.own_config.name) if args.own_config \
        else recorded_config(args.results)
    print(f"check, the campaign's config ({source}) predicted from its own measurement:")
    print("\n".join("  " + line for line in self_check(own, costs, counts)))


if __name__ == "__main__":
    main()
