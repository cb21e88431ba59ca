"""Does the DMS thermostat shape the moduli? G' and G'' at the campaign's DMS state
points with the config's Nose-Hoover damping and with a damping time --factor times
longer (a thermostat that much weaker), side by side on the same glasses.

    python benchmarks/dms_thermostat.py --results results
    python benchmarks/dms_thermostat.py --results results --temperatures 300 --factor 10

The glasses are the campaign's equilibrated ones (results/glass/sample<k>/T<T>/
equilibrate/glass.data of the config given); every state point runs in shear with the
config's amplitude and skip_cycles and ``--cycles`` cycles (default: the config's), once
per damping, in a scratch folder. For each temperature and period the script prints
both sample means and the difference weaker - default, paired by glass: the mean over
the samples of each glass's difference, with the error from the two runs' own fit
errors (the scatter over their cycles; the glass-to-glass spread is common to both
dampings and cancels), and that difference in units of its error (z). A thermostat
that does not shape the moduli gives |z| of order 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from common import DEFAULT_CONFIG, work_folder

from mgrelax.config import load_config_file, model_of
from mgrelax.dms.jobs import dms_job, fit_record
from mgrelax.jobs import run_job
from mgrelax.launch import LaunchSettings
from mgrelax.plan import number_label

MODULI = ("storage_modulus", "loss_modulus")


def run_point(config: dict, sample: int, temperature: float, period: float, damping: float,
              cycles: int, results: Path, scratch: Path) -> dict:
    """Fit of one shear DMS run of the campaign's glass with thermostat ``damping`` (ps)."""
    model = model_of(config)
    glass = (results / "glass" / f"sample{sample}" / f"T{number_label(temperature)}"
             / "equilibrate" / "glass.data")
    folder = scratch / f"sample{sample}_T{number_label(temperature)}_tw{number_label(period)}" \
        f"_damping{number_label(damping)}"
    settings = config["dms"]
    job = dms_job({**config, "thermostat_damping": damping}, model, temperature, period,
                  settings["amplitude"], "shear", cycles, folder, glass)
    run_job(job, LaunchSettings())
    state = {"sample": sample, "temperature": temperature, "period": period, "damping": damping}
    return fit_record(folder / "series.dat", state, settings["skip_cycles"], model, {})


def compare(points: pd.DataFrame, dampings: tuple[float, float]) -> pd.DataFrame:
    """Sample means per damping and the paired difference weaker - default: per glass the
    difference of its two runs with the error hypot of their fit errors; over n glasses
    the mean difference with error sqrt(sum error^2) / n."""
    state = ["temperature", "period", "sample"]
    default, weaker = (points[points["damping"] == d].set_index(state).sort_index()
                       for d in dampings)
    table = pd.DataFrame()
    for quantity in MODULI:
        difference = weaker[quantity] - default[quantity]
        variance = weaker[quantity + "_error"] ** 2 + default[quantity + "_error"] ** 2
        grouped = pd.DataFrame({"d": difference, "v": variance, "default": default[quantity],
                                "weaker": weaker[quantity]}).groupby(state[:2])
        n = grouped.size()
        table[quantity] = grouped["default"].mean()
        table[quantity + "_weaker"] = grouped["weaker"].mean()
        table[quantity + "_difference"] = grouped["d"].mean()
        table[quantity + "_difference_error"] = np.sqrt(grouped["v"].sum()) / n
        table[quantity + "_z"] = (table[quantity + "_difference"]
                                  / table[quantity + "_difference_error"])
        table["n_samples"] = n
    return table.reset_index()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--results", type=Path, default=Path("results"))
    parser.add_argument("--factor", type=float, default=10.0,
                        help="damping time of the weaker thermostat / the config's")
    parser.add_argument("--cycles", type=int, help="cycles per run (default: the config's)")
    parser.add_argument("--temperatures", type=float, nargs="*",
                        help="DMS temperatures (K; default: the config's)")
    parser.add_argument("--workdir", help="folder for the runs (default: a temporary one)")
    args = parser.parse_args()
    config = load_config_file(args.config)
    settings = config["dms"]
    temperatures = args.temperatures or settings.get("temperatures", config["temperatures"])
    dampings = (config["thermostat_damping"], config["thermostat_damping"] * args.factor)
    cycles = args.cycles or settings["cycles"]
    with work_folder(args.workdir) as scratch:
        points = pd.DataFrame([run_point(config, sample, temperature, period, damping, cycles,
                                         args.results.resolve(), scratch)
                               for sample in range(config["samples"])
                               for temperature in temperatures
                               for period in settings["periods"] for damping in dampings])
    table = compare(points, dampings)
    unit = model_of(config).units.stress
    print(f"dms thermostat: Nose-Hoover damping {dampings[0]:g} ps against {dampings[1]:g} ps, "
          f"shear, amplitude {settings['amplitude']:g}, {cycles} cycles, {config['samples']} "
          f"samples (difference weaker - default paired by glass; error from the runs' fit "
          f"errors over their cycles)")
    for row in table.itertuples():
        print(f"  T = {row.temperature:g} K, t_w = {row.period:g} ps: "
              + "; ".join(f"{name} {getattr(row, q):.2f} against {getattr(row, q + '_weaker'):.2f}"
                          f" {unit}, difference {getattr(row, q + '_difference'):+.2f} +- "
                          f"{getattr(row, q + '_difference_error'):.2f} "
                          f"(z = {getattr(row, q + '_z'):+.2f})"
                          for name, q in (("G'", MODULI[0]), ("G''", MODULI[1]))))
    z = table[[q + "_z" for q in MODULI]].to_numpy().ravel()
    print(f"dms thermostat: {np.sum(np.abs(z) > 2)} of {z.size} differences beyond 2 combined "
          f"standard errors, largest |z| = {np.nanmax(np.abs(z)):.2f}")


if __name__ == "__main__":
    main()
