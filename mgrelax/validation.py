"""The campaign's numbers set beside the papers' (the ``validation`` target): one row
per published number (mgrelax/published_values.yaml) that the campaign's model and
stages can measure, with ours, its 95 % interval, the scale of both, and a verdict.

Verdicts:
- agrees: the two differ by less than the combined 95 % half-width,
  sqrt(h_ours^2 + (1.96 s_paper)^2), h_ours the half of our interval on the side of the
  paper's value, s_paper the paper's standard error (0 where it gives none), and that
  h_ours is within the row's resolution (resolution());
- not resolved: they differ by less, but h_ours is wider than the resolution:
  agreement that says nothing (samples_needed says what would resolve it);
- differs: they differ by more, with the reason where one is known;
- out of reach: the campaign has no number (too few crossed runs, a stage switched
  off), with the reason; the cost of the paper-scale config is in cost_model.csv;
- no published value: no verified source for the paper's side (the row gives ours).
z_score is (ours - paper) / sqrt(s_ours^2 + s_paper^2), for reading, not the verdict.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.stats import norm

from mgrelax.config import model_of
from mgrelax.cost import (campaign_work, config_for_costing, cost_estimate, measured_costs,
                          measured_counts)

PUBLISHED = yaml.safe_load(Path(__file__).with_name("published_values.yaml").read_text())
CONFIDENCE = 0.95
Z_95 = float(norm.ppf(0.5 + CONFIDENCE / 2))
COLUMNS = ["key", "quantity", "unit", "published_value", "published_error", "source", "where",
           "published_scale", "value", "error", "low", "high", "interval", "our_scale",
           "resolution", "z_score", "ratio", "verdict", "reason"]


def comparison(key: str, value, error, interval, interval_kind: str, our_scale: str,
               missing: str = "", differs_because: str = "") -> dict:
    """One row: published number ``key`` beside ours (``value`` with standard ``error``
    and ``interval`` (low, high), described by ``interval_kind``). ``missing``: why we
    have no number; ``differs_because``: the known reason should they differ."""
    paper = PUBLISHED[key]
    row = {"key": key, **{name: paper[name] for name in ("quantity", "unit", "source", "where")},
           "published_value": paper["value"], "published_error": paper["error"],
           "published_scale": paper["scale"], "value": _number(value), "error": _number(error),
           "low": _number(interval[0]), "high": _number(interval[1]),
           "interval": interval_kind, "our_scale": our_scale, "resolution": resolution(paper)}
    return {**row, **verdict(row, missing, paper.get("note", ""), differs_because)}


def verdict(row: dict, missing: str, note: str, differs_because: str) -> dict:
    """z_score, ratio, verdict and reason of a row (the rules in the module docstring)."""
    value, paper = row["value"], row["published_value"]
    if math.isnan(value):
        return {"z_score": math.nan, "ratio": math.nan, "verdict": "out of reach",
                "reason": missing}
    if paper is None:
        return {"z_score": math.nan, "ratio": math.nan, "verdict": "no published value",
                "reason": note}
    paper_error = row["published_error"] or 0.0
    own_error = 0.0 if math.isnan(row["error"]) else row["error"]
    spread = math.hypot(own_error, paper_error)
    z = (value - paper) / spread if spread > 0 else math.nan
    side = row["high"] - value if paper > value else value - row["low"]
    side = 0.0 if math.isnan(side) else side
    half_width = math.hypot(side, Z_95 * paper_error)
    agrees = abs(value - paper) <= half_width
    reason = (f"|difference| {abs(value - paper):.3g} {row['unit']} "
              f"{'within' if agrees else 'beyond'} the combined 95 % half-width "
              f"{half_width:.3g} {row['unit']}")
    resolved = side <= row["resolution"]
    if agrees and not resolved:
        reason += (f"; ours alone {side:.3g} {row['unit']}, wider than the resolution "
                   f"{row['resolution']:.3g} {row['unit']}")
    if not agrees and differs_because:
        reason += f"; {differs_because}"
    return {"z_score": z, "ratio": value / paper if paper else math.nan,
            "verdict": ("differs" if not agrees else "agrees" if resolved else "not resolved"),
            "reason": reason}


RESOLUTION_FRACTION = 0.1
"""Where the paper gives no error, the 95 % half-width a comparison must reach to say
anything: this fraction of the paper's value (with an error: 1.96 times the error)."""


def resolution(paper: dict) -> float:
    """The 95 % half-width (unit of the entry) within which a comparison with published
    number ``paper`` resolves it: the entry's ``resolution`` where it gives one (a value
    of 0 has no fraction), else 1.96 times its error, else RESOLUTION_FRACTION of it."""
    if paper.get("resolution") is not None:
        return float(paper["resolution"])
    if paper["error"]:
        return Z_95 * paper["error"]
    return RESOLUTION_FRACTION * abs(paper["value"]) if paper["value"] is not None else math.nan


def _number(value) -> float:
    return math.nan if value is None else float(value)


def activation_rows(activation: dict, our_scale: str) -> list[dict]:
    """Delta Q and Delta S of Yang et al. from activation.json: Delta Q and Delta S_eff
    of the effective barrier, Delta S_para and Delta S_seq of the other reductions
    (each the Student t 95 % interval of the line's fit over the temperatures)."""
    reductions = activation["reductions"]
    kind = "Student t 95 % interval of the fit Delta F(T) = Delta Q - T Delta S"
    keys = [("yang_activation_energy", "effective", "activation_energy"),
            ("yang_activation_entropy_effective", "effective", "activation_entropy"),
            ("yang_activation_entropy_parallel", "parallel", "activation_entropy"),
            ("yang_activation_entropy_sequential", "sequential", "activation_entropy")]
    rows = []
    for key, reduction, name in keys:
        fit = reductions[reduction]
        if "error" in fit:
            rows.append(comparison(key, None, None, (None, None), kind, our_scale,
                                   missing=f"no fit of Delta F_{reduction[:3]}(T): "
                                           f"{fit['error']}"))
            continue
        rows.append(comparison(key, fit[name], fit[f"{name}_error"], fit[f"{name}_interval"],
                               f"{kind} ({fit['n_points']} temperatures)", our_scale,
                               differs_because=SCALE_REASON))
    return rows


EFFECTIVE_BARRIER_TEMPERATURE = 400.0
"""K: the temperature of the Delta F_eff row, inside the 200-450 K of Yang et al.'s fit."""


def effective_barrier_row(spectra: pd.DataFrame, our_scale: str) -> dict:
    """Delta F_eff at EFFECTIVE_BARRIER_TEMPERATURE and its interval (the metadynamics
    spectra.csv) beside Yang et al.'s fitted line there: a comparison inside the paper's
    temperatures, which the extrapolated Delta Q is not."""
    at = spectra[np.isclose(spectra["temperature"], EFFECTIVE_BARRIER_TEMPERATURE)]
    key = "yang_effective_barrier_400K"
    if at.empty or not np.isfinite(at["barrier_eff"].iloc[0]):
        return comparison(key, None, None, (None, None), "", our_scale,
                          missing=f"no effective barrier at {EFFECTIVE_BARRIER_TEMPERATURE:g} K "
                                  f"(metad.temperatures)")
    row = at.iloc[0]
    return comparison(key, row["barrier_eff"], row["barrier_eff_error"],
                      (row["barrier_eff_low"], row["barrier_eff_high"]),
                      f"95 % interval: {row['interval_method']} ({row['n_runs']:g} runs)",
                      our_scale, differs_because=SCALE_REASON)


SCALE_REASON = ("the glass is quenched about 2000 times faster, annealed for ps instead of "
                "500 ns and sampled with far fewer runs than the paper's (our_scale)")


def art_row(summary: dict, our_scale: str) -> dict:
    """The mean ART activation energy of the spectrum level (summary.json)."""
    spectrum = summary["activation_energy"]
    n = spectrum.get("n", 0)
    error = spectrum["sd"] / math.sqrt(n) if n > 1 and spectrum.get("sd") is not None else None
    return comparison("yang_art_mean", spectrum.get("mean"), error,
                      spectrum.get("mean_interval") or (None, None),
                      f"Student t 95 % interval of the mean over {n} unique events "
                      f"({summary['spectrum_level']} level)", our_scale,
                      missing="no ART event at the spectrum level",
                      differs_because=SCALE_REASON)


def cluster_size_row(table: pd.DataFrame, our_scale: str, cutoff: float = 4.0) -> dict:
    """Fall of the mean barrier from the ``cutoff`` (Angstrom) cluster to the next larger
    one of cluster_size.csv, with the standard error of the difference of the two means
    (normal 95 % interval); agreement where the fall is positive beyond 1.96 errors."""
    rows = table.sort_values("cutoff_radius").reset_index(drop=True)
    at = rows.index[np.isclose(rows["cutoff_radius"], cutoff)]
    kind = "normal 95 % interval of the difference of two means (standard errors over runs)"
    if not len(at) or at[0] + 1 >= len(rows):
        return comparison("yang_cluster_size_drop", None, None, (None, None), kind, our_scale,
                          missing=f"no cluster larger than {cutoff:g} A in the size series")
    small, large = rows.loc[at[0]], rows.loc[at[0] + 1]
    fall = small["barrier_mean"] - large["barrier_mean"]
    error = math.hypot(small["barrier_sem"], large["barrier_sem"])
    scale = (f"{our_scale}; {small['n_crossed']} and {large['n_crossed']} crossed runs at "
             f"{cutoff:g} and {large['cutoff_radius']:.2f} A, {small['temperature']:g} K")
    measured = np.isfinite(error)
    row = comparison("yang_cluster_size_drop", fall if measured else None, error,
                     (fall - Z_95 * error, fall + Z_95 * error), kind, scale,
                     missing="fewer than 2 crossed runs at one of the two sizes")
    if measured:
        low, high = fall - Z_95 * error, fall + Z_95 * error
        if low > 0:
            verdict, finding = "agrees", ""
        elif high < 0:
            verdict, finding = "differs", ": it rises, at 95 %"
        else:
            verdict, finding = "not resolved", ": not resolved from zero at 95 %"
        row.update(verdict=verdict,
                   reason=(f"the barrier falls by {fall:.3f} +- {error:.3f} eV (standard "
                           f"error) beyond {cutoff:g} A{finding}"))
    return row


def correspondence_row(table: pd.DataFrame, our_scale: str) -> dict:
    """(M' - (K' + 4/3 G')) / M' at the correspondence point (correspondence.csv), with
    its error (normal 95 % interval)."""
    if table.empty:
        return comparison("lyu_dynamic_correspondence", None, None, (None, None), "",
                          our_scale, missing="no state point ran in all three modes")
    row = table.iloc[0]
    modulus = row["storage_modulus_longitudinal"]
    value = row["storage_modulus_mismatch"] / modulus
    error = row["storage_modulus_mismatch_error"] / modulus
    return comparison("lyu_dynamic_correspondence", value, error,
                      (value - Z_95 * error, value + Z_95 * error),
                      "normal 95 % interval (errors of the three fits)",
                      f"{our_scale}; {row['temperature']:g} {row['temperature_unit']}, "
                      f"t_w = {row['period']:g}, "
                      f"M' = {modulus:.4g} {row['stress_unit']}")


def shear_modulus_row(spectra: pd.DataFrame, temperature: float, our_scale: str) -> dict:
    """G' at ``temperature`` and the longest period of the shear spectra (spectra.csv)."""
    rows = spectra[(spectra["mode"] == "shear") & np.isclose(spectra["temperature"],
                                                             temperature)]
    if rows.empty:
        return comparison("shear_modulus_cu50zr50", None, None, (None, None), "", our_scale,
                          missing=f"no shear DMS at {temperature:g} K")
    row = rows.sort_values("period").iloc[-1]
    value, error = row["storage_modulus"], row["storage_modulus_error"]
    return comparison("shear_modulus_cu50zr50", value, error,
                      (value - Z_95 * error, value + Z_95 * error),
                      f"normal 95 % interval ({row['storage_modulus_error_kind']})",
                      f"{our_scale}; t_w = {row['period']:g} ps")


def exponent_row(scaling: dict, our_scale: str) -> dict:
    """The exponent b of the scaling law (scaling_law.json) on the Kob-Andersen glass."""
    interval = scaling.get("exponent_interval") or (None, None)
    return comparison("yu_exponent_kob_andersen", scaling.get("exponent"),
                      scaling.get("exponent_error"), interval,
                      f"Student t 95 % interval of the fit ({scaling.get('n_points')} points; "
                      f"{scaling.get('n_excluded', 0)} left out, listed in scaling_law.json)",
                      our_scale, missing=scaling.get("error", "no scaling-law fit"),
                      differs_because=EXPONENT_REASON)


EXPONENT_REASON = ("b rises as the shortest periods are left out (dms.scaling_law.min_period; "
                   "below it atomic vibrations add to the loss, Yu et al. leave out t_w < 100 ps), "
                   "and the grid is far smaller than the paper's (our_scale; Yu et al.: 9088 "
                   "atoms, periods to 1e5 tau)")


def tg_row(table: pd.DataFrame, quantity: str, our_scale: str) -> dict:
    """Tg extrapolated to the papers' cooling rate (the ``extrapolated`` row of
    ``quantity`` in tg_cooling_rate.csv) beside the experimental Tg."""
    line = table[(table["kind"] == "extrapolated") & (table["quantity"] == quantity)].iloc[0]
    kind = line["interval"]
    scale = (f"{our_scale}; {int(line['n_points'])} quenches at {int(line['n_rates'])} rates "
             f"{', '.join(f'{q:.3g}' for q in sorted(set(table['cooling_rate'].dropna())))} "
             "K/s")
    if not np.isfinite(line["tg"]):
        row = comparison("experimental_tg_cu50zr50", None, None, (None, None), kind, scale,
                         missing=line["note"])
    else:
        row = comparison("experimental_tg_cu50zr50", line["tg"], line["tg_error"],
                         (line["tg_ci_low"], line["tg_ci_high"]), kind, scale,
                         differs_because="the experiment's heating rate (0.33 K/s) is eight "
                                         "decades below 1e10 K/s, where MD Tg lies higher")
    symbol = {"volume": "V", "potential_energy": "E"}[quantity]
    return {**row, "quantity": f"{row['quantity']}; ours: the {symbol}(T) kink"}


def applies(key: str, config: dict) -> bool:
    """Whether published number ``key`` is about the campaign's system: its model is
    among the entry's models and its composition the entry's (where one is given)."""
    paper = PUBLISHED[key]
    composition = paper.get("composition")
    return config["model"] in paper["models"] and (
        composition is None or all(math.isclose(config["composition"].get(species, 0.0),
                                                fraction)
                                   for species, fraction in composition.items()))


def campaign_scale(config: dict) -> str:
    """The scale of the campaign in words: model, atoms, samples, cooling rate, anneal."""
    anneal = config["anneal"]
    return (f"{config['model']}, {config['n_atoms']} atoms, {config['samples']} glasses, "
            f"{config['quench']['cooling_rate']:.3g} K/s, anneal {anneal['duration']:g} at "
            f"{anneal['temperature']:g}")


def campaign_rows(inputs: dict, config: dict) -> list[dict]:
    """Every row this campaign can fill: the summaries it made (``inputs``, by name as in
    workflow/rules/validation.smk) against the published numbers about its system."""
    scale = campaign_scale(config)
    rows = []
    if "tg_cooling_rate" in inputs:
        table = pd.read_csv(inputs["tg_cooling_rate"])
        rows += [tg_row(table, quantity, scale) for quantity in ("volume", "potential_energy")]
    if "spectra" in inputs:
        rows.append(shear_modulus_row(pd.read_csv(inputs["spectra"]), 300.0, scale))
        rows.append(correspondence_row(pd.read_csv(inputs["correspondence"]), scale))
        rows.append(exponent_row(read_json(inputs["scaling_law"]),
                                 relaxation_scale(scale, config, inputs["alpha_relaxation"])))
    if "activation" in inputs:
        metad = config["metad"]
        rows += activation_rows(read_json(inputs["activation"]),
                                f"{scale}; {metad['samples']} runs at each of "
                                f"{len(metad['temperatures'])} temperatures")
        rows.append(effective_barrier_row(pd.read_csv(inputs["metad_spectra"]), scale))
    if "cluster_size" in inputs:
        rows.append(cluster_size_row(pd.read_csv(inputs["cluster_size"]), scale))
    if "art_summary" in inputs:
        rows.append(art_row(read_json(inputs["art_summary"]), scale))
    return [row for row in rows if applies(row["key"], config)]


def relaxation_scale(scale: str, config: dict, alpha_relaxation) -> str:
    """The scale of the DMS grid: its periods beside the alpha-relaxation time at each
    temperature (mean over samples, alpha_relaxation.csv), which the periods must reach."""
    table = pd.read_csv(alpha_relaxation)
    if "tau" not in table:   # no state point's F_s decayed: the summary has no tau column
        table = table.assign(tau=np.nan)
    taus = table.groupby("temperature")["tau"].mean()
    times = ", ".join(f"{t:g}: {tau:.3g}" if np.isfinite(tau) else f"{t:g}: beyond the run"
                      for t, tau in taus.items())
    periods, min_period = config["dms"]["periods"], config["dms"]["scaling_law"]["min_period"]
    fitted = f" (fitted from {min_period:g})" if min_period > min(periods) else ""
    return (f"{scale}; periods {min(periods):g}-{max(periods):g}{fitted}, tau_alpha by temperature "
            f"{times} ({table['time_unit'].iloc[0]})")


def paper_costs(paper_configs, costs: pd.DataFrame, counts) -> pd.DataFrame:
    """cost_model.csv: the core-hours of each paper config per stage (and in total) at
    the cost per atom-step measured in this campaign's runs (``costs``, ``counts``:
    mgrelax.cost), with the 16th-84th percentile range (low, high) and what was assumed
    (notes)."""
    frames = []
    for path in paper_configs:
        config, change = config_for_costing(path)
        estimate = cost_estimate(campaign_work(config, model_of(config), counts), costs)
        frames.append(estimate.reset_index().rename(columns={"index": "stage"}).assign(
            config=f"config/{Path(path).name}", model=config["model"], validated_with=change))
    return pd.concat(frames, ignore_index=True)


def with_paper_cost(row: dict, costs: pd.DataFrame) -> dict:
    """``row`` with the cost of measuring its number at the paper's scale: the stages of
    its paper config (published_values.yaml) in core-hours, as one line."""
    paper = PUBLISHED[row["key"]]
    stages = costs[(costs["config"] == paper["paper_config"])
                   & costs["stage"].isin(paper["paper_stages"])]
    total = stages["core_hours"].sum(min_count=len(paper["paper_stages"]))
    cost = (f"{paper['paper_config']} ({' + '.join(stages['stage'])}): {total:,.0f} core-h "
            f"({stages['low'].sum():,.0f}-{stages['high'].sum():,.0f}) at this campaign's "
            "measured cost per atom-step" if np.isfinite(total) else
            f"{paper['paper_config']}: not costed (of its stages "
            f"{', '.join(paper['paper_stages'])}, not all run there and here)")
    return {**row, "paper_scale_cost": cost}


def sample_costs(inputs: dict, config: dict, measured: pd.DataFrame, counts) -> dict:
    """{key: (samples now, core-seconds per added sample, what a sample is)} of the rows
    whose precision grows with samples: a glass quenched at every rate of the Tg study
    (its atom-steps, mgrelax.cost.campaign_work, at the measured glass cost), a
    metadynamics run at every temperature (the measured metadynamics core-seconds per
    run times the temperatures) and a unique ART event at the spectrum level (the
    measured ART core-seconds over the unique events)."""
    reach = {}
    if "tg_cooling_rate" in inputs:
        work = campaign_work(config, model_of(config), counts)
        quenches = work[work["process"].isin(["quench", "quench_at_rate"])]
        per_glass = (quenches["atom_steps"].sum() * measured.loc[("glass", "md"), "median"]
                     / config["samples"])
        reach["experimental_tg_cu50zr50"] = (config["samples"], per_glass,
                                             "glasses quenched at every rate")
    if "activation" in inputs and ("metad", "md") in measured.index:
        metad, runs = measured.loc[("metad", "md")], config["metad"]["samples"]
        per_run = metad["core_seconds"] / metad["runs"]
        per_run_everywhere = per_run * len(config["metad"]["temperatures"])
        for key in ("yang_activation_energy", "yang_activation_entropy_effective",
                    "yang_activation_entropy_parallel", "yang_activation_entropy_sequential"):
            reach[key] = (runs, per_run_everywhere, "runs per temperature")
        reach["yang_effective_barrier_400K"] = (runs, per_run,
                                                f"runs at {EFFECTIVE_BARRIER_TEMPERATURE:g} K")
    if "art_summary" in inputs and ("art", "force_call") in measured.index:
        events = read_json(inputs["art_summary"])["activation_energy"].get("n", 0)
        if events:
            reach["yang_art_mean"] = (events, measured.loc[("art", "force_call"),
                                                           "core_seconds"] / events,
                                      "unique ART events")
    return reach


def statistical_reach(row: dict, samples: tuple | None) -> str:
    """The samples our interval needs to resolve the paper's number, half-width scaling
    as 1/sqrt(samples), to the row's resolution, and their core-hours at this campaign's
    size and measured cost ('' where it does not apply)."""
    half, target = (row["high"] - row["low"]) / 2, row["resolution"]
    if samples is None or not (np.isfinite(half) and np.isfinite(target)):
        return ""
    now, cost, what = samples
    needed = math.ceil(now * (half / target) ** 2)
    return (f"{needed} {what} (now {now}) for a 95 % half-width of {target:.3g} {row['unit']}: "
            f"{needed * cost / 3600:.3g} core-h at this campaign's size and measured cost")


def write_validation(inputs: dict, output, config: dict) -> pd.DataFrame:
    """validation.csv, cost_model.csv and the report page of the campaign; with
    ``output.combined``, also the rows of every validation campaign in one table."""
    results = Path(output.table).parent
    measured, counts = measured_costs(results), measured_counts(results)
    costs = paper_costs(inputs["paper_configs"], measured, counts)
    costs.to_csv(output.costs, index=False)
    reach = sample_costs(inputs, config, measured, counts)
    rows = [{**with_paper_cost(row, costs),
             "samples_needed": statistical_reach(row, reach.get(row["key"]))}
            for row in campaign_rows(inputs, config)]
    table = pd.DataFrame(rows, columns=[*COLUMNS, "paper_scale_cost", "samples_needed"])
    table.to_csv(output.table, index=False)
    Path(output.page).write_text(validation_page(table, costs))
    if hasattr(output, "combined"):
        combine_tables(results.parent.glob("*/validation.csv"), Path(output.combined))
    return table


def validation_page(table: pd.DataFrame, costs: pd.DataFrame) -> str:
    """The report page: the comparison table and the cost of the paper configs."""
    shown = ["quantity", "unit", "published_value", "published_error", "value", "low", "high",
             "verdict", "reason", "our_scale", "published_scale", "source",
             "paper_scale_cost", "samples_needed"]
    return ("<h2>The campaign against the papers</h2>" + table[shown].to_html(
                index=False, na_rep="", float_format=lambda x: f"{x:.4g}")
            + "<h2>Paper configs at this campaign's measured cost (core-hours)</h2>"
            + costs.to_html(index=False, na_rep="", float_format=lambda x: f"{x:.4g}"))


def combine_tables(paths, path: Path) -> pd.DataFrame:
    """results/validation/validation.csv: the rows of every validation campaign's table,
    with the campaign each came from (its folder's name)."""
    table = pd.concat([pd.read_csv(p).assign(campaign=Path(p).parent.name)
                       for p in sorted(paths)], ignore_index=True)
    table.to_csv(path, index=False)
    return table


def read_json(path) -> dict:
    return json.loads(Path(path).read_text())
