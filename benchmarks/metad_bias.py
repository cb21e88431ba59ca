"""Systematic error of the first-crossing metadynamics barrier against hill height and
deposition stride, on a Langevin double well with a known barrier
(analysis.metad_bias).

The well: Delta F = --barrier eV (default 0.5), minima at 0.5 and 1.5 Angstrom, a
13-atom Cu50Zr50 cluster's mass (attempt frequency printed), friction 1 / the config's
thermostat damping, the config's time step. Hills as the config's ``metad`` section
(width, bias temperature, prominence, check and trajectory intervals), except the
height and stride varied here. Each replica runs until the workflow's stopping rule
declares its first crossing (at most --max-steps steps). Printed, one line per
setting: replicas crossed, bias = mean estimate - Delta F with its standard error
(sd / sqrt(crossed)), sd of single estimates, fraction decided with <= 2 hills beyond
the resolved saddle and the median number of such hills, median steps (and ps) to
the crossing, the fraction that crossed within the config's max_duration, and the
replicas whose initial basin (median CV of the first ten hill intervals) was named
beyond the barrier top: they crossed that early and the stopping rule never fires.

Tables: (1) the height x stride grid at the middle metad temperature; (2) every height
at the config's stride at the other metad temperatures; (3) the least basin depth in
first hills (the workflow uses 2; 0 leaves the prominence alone) at the config's
stride, paired: the same trajectories (same seed) read with each rule, the mean
difference to the 2-hill estimate with its standard error.

    nice python benchmarks/metad_bias.py                       # 7-10 minutes on 2 busy cores
    nice python benchmarks/metad_bias.py --replicas 32 --weights 0.05 --strides 100   # smoke
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import yaml

from analysis.metad_bias import (DoubleWell, FirstCrossings, Langevin, Protocol, bias_estimate,
                                 first_crossings)
from mgrelax.config import model_of, validate_config
from analysis.metad import BASIN_DEPTH_IN_HILLS
from mgrelax.plan import lammps_timestep, steps_for

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "config.yaml"


def campaign_settings(config: dict) -> tuple[Protocol, Langevin, int]:
    """The config's hill protocol, dynamics at its first metad temperature, and its
    maximum run length (steps)."""
    model, metad = model_of(config), config["metad"]
    protocol = Protocol(
        hill_weight=float(metad["hill_weight"]), stride=int(metad["hill_interval"]),
        hill_sigma=metad["hill_width"] / 2, bias_temperature=float(metad["bias_temperature"]),
        prominence=float(metad["saddle_prominence"]),
        check_steps=steps_for(metad["check_interval"], config, model),
        trajectory_every=max(1, steps_for(metad["trajectory_interval"], config, model)))
    dynamics = Langevin(float(metad["temperatures"][0]), friction=1 / config["thermostat_damping"],
                        timestep=lammps_timestep(config, model))
    return protocol, dynamics, steps_for(metad["max_duration"], config, model)


class Study:
    """One well, replica count, seed and step limit; measures and prints one setting."""

    def __init__(self, well: DoubleWell, args, timestep: float, campaign_steps: int):
        self.well, self.args = well, args
        self.timestep, self.campaign_steps = timestep, campaign_steps

    def measure(self, label: str, dynamics: Langevin, protocol: Protocol) -> FirstCrossings:
        """Run the replicas of one setting and print its line; return the crossings."""
        start = time.perf_counter()
        crossings = first_crossings(self.well, dynamics, protocol, self.args.replicas,
                                    self.args.max_steps, self.args.seed)
        seconds = time.perf_counter() - start
        estimate = bias_estimate(crossings, self.well)
        within = np.mean(crossings.crossed & (crossings.step <= self.campaign_steps))
        print(f"{label} crossed {estimate.crossed:4d}/{estimate.replicas:<4d} "
              f"bias {estimate.bias:+.3f} +- {estimate.bias_error:.3f} eV  sd {estimate.sd:.3f} eV  "
              f"<=2 hills {estimate.few_hills:4.2f} (median {estimate.median_hills:3.0f})  "
              f"steps {estimate.median_steps:8.0f} ({estimate.median_steps * self.timestep:7.1f} ps)  "
              f"within max_duration {within:4.2f}  start beyond top {estimate.start_beyond_top}  "
              f"[{seconds:.0f} s]", end="", flush=True)
        return crossings


def height_by_stride(study: Study, dynamics: Langevin, campaign: Protocol, weights, strides) -> None:
    print(f"\n(1) hill height x stride at T = {dynamics.temperature:g} K")
    for stride in sorted({campaign.stride, *strides}):
        for weight in weights:
            study.measure(f"T {dynamics.temperature:4.0f} K w {weight:5.3f} eV stride {stride:5d}",
                          dynamics, replace(campaign, hill_weight=weight, stride=stride))
            print()


def height_by_temperature(study: Study, dynamics: Langevin, campaign: Protocol, weights,
                          temperatures) -> None:
    print(f"\n(2) hill height at the config's stride ({campaign.stride} steps), other metad "
          "temperatures")
    for temperature in temperatures:
        for weight in weights:
            study.measure(f"T {temperature:4.0f} K w {weight:5.3f} eV stride {campaign.stride:5d}",
                          replace(dynamics, temperature=temperature),
                          replace(campaign, hill_weight=weight))
            print()


def basin_depth_rule(study: Study, dynamics: Langevin, campaign: Protocol, weights, depths) -> None:
    print(f"\n(3) least basin depth in first hills, T = {dynamics.temperature:g} K, stride "
          f"{campaign.stride} (same trajectories; difference to the workflow's "
          f"{BASIN_DEPTH_IN_HILLS:g}-hill rule)")
    for weight in weights:
        protocol = replace(campaign, hill_weight=weight)
        reference = study.measure(f"w {weight:5.3f} eV depth {BASIN_DEPTH_IN_HILLS:3.1f} hills",
                                  dynamics, protocol)
        print()
        for depth in depths:
            crossings = study.measure(f"w {weight:5.3f} eV depth {depth:3.1f} hills", dynamics,
                                      replace(protocol, depth_in_hills=depth))
            both = crossings.crossed & reference.crossed
            difference = crossings.barrier[both] - reference.barrier[both]
            print(f"  minus {BASIN_DEPTH_IN_HILLS:g}-hill estimate {difference.mean():+.4f} +- "
                  f"{difference.std(ddof=1) / np.sqrt(difference.size):.4f} eV")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--barrier", type=float, default=0.5, help="Delta F (eV)")
    parser.add_argument("--weights", type=float, nargs="+", default=[0.002, 0.005, 0.01, 0.02, 0.05],
                        help="initial hill heights (eV)")
    parser.add_argument("--strides", type=int, nargs="+", default=[50, 200, 1000],
                        help="steps between hills, besides the config's")
    parser.add_argument("--depths", type=float, nargs="+", default=[0.0, 1.0, 3.0],
                        help="least basin depths (first hills) compared in table 3")
    parser.add_argument("--depth-weights", type=float, nargs="+", default=[0.01, 0.05],
                        help="hill heights (eV) of table 3")
    parser.add_argument("--replicas", type=int, default=256)
    parser.add_argument("--max-steps", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()

    config = validate_config(yaml.safe_load(args.config.read_text()))
    campaign, dynamics, campaign_steps = campaign_settings(config)
    temperatures = [float(t) for t in config["metad"]["temperatures"]]
    middle = temperatures[len(temperatures) // 2]
    well = DoubleWell(barrier=args.barrier)
    print(f"well: Delta F {well.barrier} eV, minima {well.minimum} / {well.top + well.half_width} A, "
          f"attempt frequency {dynamics.attempt_frequency(well):.2f} THz, friction "
          f"{dynamics.friction:g}/ps, time step {dynamics.timestep * 1000:g} fs; config: "
          f"w {campaign.hill_weight} eV every {campaign.stride} steps, sigma {campaign.hill_sigma} A, "
          f"Delta T {campaign.bias_temperature} K, T {temperatures} K, max_duration "
          f"{campaign_steps} steps; {args.replicas} replicas per line")
    study = Study(well, args, dynamics.timestep, campaign_steps)
    at_middle = replace(dynamics, temperature=middle)
    height_by_stride(study, at_middle, campaign, args.weights, args.strides)
    height_by_temperature(study, dynamics, campaign, args.weights,
                          [t for t in temperatures if t != middle])
    basin_depth_rule(study, at_middle, campaign, args.depth_weights, args.depths)

if __name__ == "__main__":
    main()
