"""Cost model of a campaign (issue 21): the measured cost of each stage per atom-step,
the work a config asks for, and the core-hours that work takes.

Cost is measured in core-seconds per atom-step: the wall time of a LAMMPS loop
("Loop time of X on P procs for S steps with N atoms") times the cores it held (P MPI
ranks x the threads per rank of its provenance.json), over S x N. A minimisation's
"step" is one force evaluation: its loop is counted with the force evaluations LAMMPS
reports ("Iterations, force evaluations = I F"), so that minimisations and MD are
costed per force computation alike; they are kept apart (kind 'minimisation' and
'md') because their cost per force computation differs. Loops of 0 steps (setup,
``run 0``) are left out. ART's work is force calls through the LAMMPS Python
interface with Python between them (kind 'force_call'): its cost per force call per
atom is the wall time between consecutive searches of a batch, from the job log's
time stamps, over the search's force calls (push and activation, failed attempts,
verification and the NEB to a neighbour) times the atoms.

The estimate assumes that a core-second per atom-step does not change with the system
size, the number of ranks and the machine: perfect parallel scaling on cores like the
measuring machine's, with the measured potential; it covers the LAMMPS loops only
(not job start, setup, file output outside the loops or the analysis).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import yaml

from mgrelax.art.jobs import read_events
from mgrelax.config import ConfigError, validate_config
from mgrelax.glass.jobs import anneal_rate, ramp_steps
from mgrelax.lammps_io import MINIMISATION_EVALUATIONS
from mgrelax.plan import (STAGE_FOLDERS, batches, dms_grid_jobs, dms_sweep_jobs,
                          extra_cooling_rates, logs_folder, metad_campaign_jobs,
                          metad_size_series_jobs, steps_for, unique_jobs)
from mgrelax.potentials import Model
from mgrelax.provenance import provenance_files

LOG_PATTERN = "log.lammps*"
LOOP = re.compile(r"(\S+) on (\d+) procs for (\d+) steps with (\d+) atoms")
SEARCH_LINE = re.compile(r"^(\S+ \S+) mgrelax\.art\.jobs: sample (\d+) batch (\d+) "
                         r"search (\d+)/\d+ \(cluster \d+, atom \d+, seed (\d+)\)", re.MULTILINE)
LOG_TIME_FORMAT = "%Y-%m-%d %H:%M:%S,%f"
INHERENT_TEMPLATE = "inherent_structure.lammps"
QUANTILES = {"p16": 16.0, "median": 50.0, "p84": 84.0}
"""The percentiles of the cost per atom-step given, weighted by atom-steps."""
SECONDS_PER_HOUR = 3600.0


def log_loops(run: Path) -> pd.DataFrame:
    """Every timed loop of the LAMMPS logs of one run folder (log.lammps and the
    log.lammps.<k> of resumed segments): wall ``seconds``, MPI ``procs``, ``steps``
    (force evaluations for a minimisation), ``atoms`` and ``kind``; loops of 0 steps
    are left out."""
    loops = [_loop(chunk) for log in sorted(Path(run).glob(LOG_PATTERN))
             for chunk in log.read_text(errors="replace").split("Loop time of ")[1:]]
    table = pd.DataFrame(loops, columns=["seconds", "procs", "steps", "atoms", "kind"])
    return table[table.steps > 0].reset_index(drop=True)


def _loop(chunk: str) -> tuple[float, int, int, int, str]:
    """One loop from the text after 'Loop time of ' up to the next loop."""
    seconds, procs, steps, atoms = LOOP.match(chunk).groups()
    evaluations = MINIMISATION_EVALUATIONS.search(chunk)
    if evaluations:
        return float(seconds), int(procs), int(evaluations.group(2)), int(atoms), "minimisation"
    return float(seconds), int(procs), int(steps), int(atoms), "md"


def run_loops(results: Path) -> pd.DataFrame:
    """The loops of every LAMMPS run of the campaign in ``results`` (the folders holding a
    provenance.json), with its ``stage``, ``run`` folder, ``template``,
    ``core_seconds`` (seconds x procs x threads per rank) and ``atom_steps``."""
    tables = [_run_table(path, Path(results)) for path in provenance_files(results)]
    return _costed(pd.concat(tables, ignore_index=True) if tables else _empty_loops())


def _run_table(provenance_path: Path, results: Path) -> pd.DataFrame:
    record = json.loads(provenance_path.read_text())
    run = provenance_path.parent.relative_to(results)
    return log_loops(provenance_path.parent).assign(
        stage=run.parts[0], run=str(run), template=record.get("template"),
        threads=record.get("threads_per_rank", 1))


def _empty_loops() -> pd.DataFrame:
    return pd.DataFrame(columns=["seconds", "procs", "steps", "atoms", "kind", "stage",
                                 "run", "template", "threads"])


def _costed(loops: pd.DataFrame) -> pd.DataFrame:
    """``loops`` with core-seconds and atom-steps."""
    return loops.assign(core_seconds=loops.seconds * loops.procs * loops.threads,
                        atom_steps=loops.steps * loops.atoms)


def art_searches(results: Path) -> pd.DataFrame:
    """Every ART search of the campaign in ``results`` (its batch tables
    art/sample<s>/batch<b>/events.h5): ``sample``, ``batch``, ``seed``, ``force_calls``
    (all of the search: push and activation with failed attempts, verification, the NEB
    to a neighbour), ``atoms`` and the ``procs`` and ``threads`` of its job."""
    tables = [_batch_searches(path)
              for path in sorted((Path(results) / "art").glob("sample*/batch*/events.h5"))]
    columns = ["sample", "batch", "seed", "force_calls", "atoms", "procs", "threads"]
    return pd.concat(tables, ignore_index=True)[columns] if tables else pd.DataFrame(
        columns=columns)


def _batch_searches(path: Path) -> pd.DataFrame:
    events, attributes = read_events(path)
    record = json.loads(attributes["provenance"]) if attributes.get("provenance") else {}
    rows = events.rows
    return rows[["sample", "batch", "seed"]].assign(
        force_calls=rows.force_calls + rows.verification_force_calls + rows.neb_force_calls,
        atoms=len(events.saddle_displacement[0]) if len(rows) else 0,
        procs=record.get("mpi_ranks", 1), threads=record.get("threads_per_rank", 1))


def campaign_logs(results: Path) -> Path | None:
    """The log folder of the campaign in ``results`` (mgrelax.plan.logs_folder: logs/
    beside the results/ folder the campaign is in); None if ``results`` is not below a
    folder named results."""
    parts = Path(results).parts
    if "results" not in parts:
        return None
    top = len(parts) - 1 - parts[::-1].index("results")
    return Path(*parts[:top], logs_folder("/".join(parts[top:])))


def search_times(log: Path) -> pd.DataFrame:
    """Wall ``seconds`` of each ART search of a batch job's log but its first: from the
    time stamp of the search before it to its own (keys ``sample``, ``batch``, ``seed``).
    A batch resumed after an interruption counts the interruption in its next search."""
    lines = pd.DataFrame(SEARCH_LINE.findall(log.read_text(errors="replace")),
                         columns=["time", "sample", "batch", "number", "seed"])
    lines = lines.astype({"sample": int, "batch": int, "number": int, "seed": int})
    time = pd.to_datetime(lines.time, format=LOG_TIME_FORMAT)
    follows = lines.number.diff() == 1
    return lines.assign(seconds=time.diff().dt.total_seconds())[follows][
        ["sample", "batch", "seed", "seconds"]]


def art_loops(results: Path) -> pd.DataFrame:
    """The timed ART searches of the campaign in ``results`` as loops of kind
    'force_call' (steps: force calls), like run_loops; empty where the job logs are
    missing."""
    logs = campaign_logs(results)
    paths = sorted((logs / "art").glob("sample*/batch*.log")) if logs else []
    if not paths:
        return _costed(_empty_loops())
    times = pd.concat([search_times(path) for path in paths], ignore_index=True)
    searches = times.merge(art_searches(results), on=["sample", "batch", "seed"])
    return _costed(searches.rename(columns={"force_calls": "steps"}).assign(
        kind="force_call", stage="art", template=None,
        run="art/sample" + searches["sample"].astype(str) + "/batch"
            + searches["batch"].astype(str)))


def _weighted_percentiles(values: pd.Series, weights: pd.Series) -> pd.Series:
    """QUANTILES of ``values``, each weighted by ``weights``."""
    return pd.Series({name: np.percentile(values.to_numpy(float), q,
                                          weights=weights.to_numpy(float),
                                          method="inverted_cdf")
                      for name, q in QUANTILES.items()})


def measured_costs(results: Path) -> pd.DataFrame:
    """Measured cost of each stage and kind of work (md, minimisation, force_call) of
    the campaign in ``results``, indexed by (stage, kind): the ``median``, ``p16`` and
    ``p84`` core-seconds per atom-step (ART: per force call per atom) over its loops
    weighted by their atom-steps,
    ``pooled`` (total core-seconds over total atom-steps), the number of ``loops`` and
    ``runs``, and the ``atom_steps`` and ``core_seconds`` measured."""
    loops = pd.concat([run_loops(results), art_loops(results)], ignore_index=True)
    loops = loops.assign(per_atom_step=loops.core_seconds / loops.atom_steps)
    groups = loops.groupby(["stage", "kind"])
    percentiles = groups[["per_atom_step", "atom_steps"]].apply(
        lambda g: _weighted_percentiles(g.per_atom_step, g.atom_steps)).astype(float)
    totals = groups.agg(loops=("steps", "size"), runs=("run", "nunique"),
                        atom_steps=("atom_steps", "sum"), core_seconds=("core_seconds", "sum"))
    costs = percentiles.join(totals).assign(pooled=lambda c: c.core_seconds / c.atom_steps)
    return costs.reindex(sorted(costs.index, key=lambda key: (STAGE_FOLDERS.index(key[0]),
                                                              key[1])))


@dataclass(frozen=True)
class RunCounts:
    """The counts of work that a config does not fix, taken from a measured campaign."""

    force_calls_per_search: float
    """Mean force calls of one ART search, all of them (a campaign costs their sum)."""
    evaluations_per_minimisation: float
    """Median force evaluations of one inherent-structure minimisation."""


def measured_counts(results: Path) -> RunCounts:
    """The RunCounts of the campaign in ``results``: the mean force calls of its ART
    searches (failed ones included) and the median force evaluations of its
    inherent-structure minimisations (glass and DMS)."""
    loops = run_loops(results)
    minimisations = loops[(loops.template == INHERENT_TEMPLATE) & (loops.kind == "minimisation")]
    return RunCounts(
        force_calls_per_search=float(art_searches(results).force_calls.mean()),
        evaluations_per_minimisation=float(minimisations.groupby("run").steps.sum().median()))


def _work(process: str, stage: str, jobs: int, steps: float, kind: str = "md",
          costed_as: str | None = None, note: str = "") -> dict:
    """One row of campaign_work: ``steps`` of all ``jobs`` together (force evaluations for
    a minimisation, force calls for ART), costed as the measured (``costed_as`` or
    ``stage``, ``kind``)."""
    return {"process": process, "stage": stage, "jobs": jobs, "steps": steps, "kind": kind,
            "cost_stage": costed_as or stage, "note": note}


def glass_work(config: dict, model: Model, counts: RunCounts) -> list[dict]:
    """Melt, quench, the quenches at the other glass_transition.cooling_rates, anneal,
    equilibration at each temperature (ramps at the anneal rate and holds, mgrelax.glass.jobs)
    and the inherent structures, per sample. The melt's short minimisation against
    overlaps is left out."""
    samples, temperatures = config["samples"], config["temperatures"]
    t_melt, t_quenched = config["melt"]["temperature"], config["quench"]["temperature_end"]
    t_anneal, rate = config["anneal"]["temperature"], anneal_rate(config)
    hold = steps_for(config["equilibrate"]["duration"], config, model)
    equilibrate = sum(ramp_steps(t_anneal, t, rate, config, model) + hold for t in temperatures)
    minimisations = samples * len(temperatures)
    work = [
        _work("melt", "glass", samples, samples * steps_for(config["melt"]["duration"],
                                                            config, model)),
        _work("quench", "glass", samples, samples * ramp_steps(
            t_melt, t_quenched, config["quench"]["cooling_rate"], config, model)),
        _work("anneal", "glass", samples, samples * (
            ramp_steps(t_quenched, t_anneal, rate, config, model)
            + steps_for(config["anneal"]["duration"], config, model))),
        _work("equilibrate", "glass", minimisations, samples * equilibrate),
        _work("inherent_structure", "glass", minimisations,
              minimisations * counts.evaluations_per_minimisation, "minimisation",
              note="force evaluations per minimisation as measured"),
    ]
    extra = extra_cooling_rates(config)
    if extra:
        work.append(_work("quench_at_rate", "glass", samples * len(extra), samples * sum(
            ramp_steps(t_melt, t_quenched, extra_rate, config, model) for extra_rate in extra)))
    return work


def dms_work(config: dict, model: Model, counts: RunCounts) -> list[dict]:
    """The DMS runs (cycles x the steps of a period each) and the two inherent
    structures of each grid point's IS D_min."""
    displaced = dms_grid_jobs(config)
    runs = unique_jobs(displaced, dms_sweep_jobs(config))
    cycles = config["dms"]["cycles"]
    steps = sum(cycles * steps_for(float(run["period"]), config, model) for run in runs)
    return [
        _work("dms", "dms", len(runs), steps),
        _work("dms_displacement", "dms", len(displaced),
              2 * len(displaced) * counts.evaluations_per_minimisation, "minimisation",
              note="force evaluations per minimisation as measured"),
    ] if runs else []


def scattering_work(config: dict, model: Model) -> list[dict]:
    """One unstrained run per sample and DMS temperature (with a DMS grid)."""
    dms = config["dms"]
    if not dms["periods"]:
        return []
    jobs = config["samples"] * len(dms.get("temperatures", config["temperatures"]))
    return [_work("intermediate_scattering", "scattering", jobs, jobs * steps_for(
        config["intermediate_scattering"]["duration"], config, model))]


def metad_work(config: dict, model: Model) -> list[dict]:
    """Every metadynamics run to metad.max_duration: an upper bound, as a run stops once
    its collective variable has crossed a saddle."""
    runs = len(unique_jobs(metad_campaign_jobs(config), metad_size_series_jobs(config)))
    steps = runs * steps_for(config["metad"]["max_duration"], config, model)
    return [_work("metad", "metad", runs, steps,
                  note="upper bound: every run to max_duration")] if runs else []


def art_work(config: dict, counts: RunCounts) -> list[dict]:
    """The ART searches (counts.force_calls_per_search force calls each, of the whole
    glass) and the climbing-image NEB checks, each replica's force evaluations up to
    the iteration limit of both NEB stages (an upper bound), costed as the glass
    stage's minimisations."""
    art, samples = config["art"], config["samples"]
    if not art["centres"]:
        return []
    sample_batches = [batches(art, samples, sample) for sample in range(samples)]
    searches = sum(len(batch) for batch_list in sample_batches for batch in batch_list)
    neb = art["neb"]
    work = [_work("art_search", "art", sum(map(len, sample_batches)),
                  searches * counts.force_calls_per_search, "force_call",
                  note="force calls per search as measured")]
    if neb["events"]:
        work.append(_work("art_neb", "art", neb["events"],
                          neb["events"] * neb["replicas"] * 2 * neb["iterations"],
                          "minimisation", costed_as="glass",
                          note="upper bound: every NEB to its iteration limit"))
    return work


def campaign_work(config: dict, model: Model, counts: RunCounts) -> pd.DataFrame:
    """The work of a validated config (mgrelax.config.validate_config), one row per
    process: its ``stage``, LAMMPS ``jobs``, ``steps`` (time steps; force evaluations of
    minimisations; force calls of ART searches) and ``atom_steps`` (steps x n_atoms),
    the measured cost it is costed at (``cost_stage``, ``kind``) and a ``note`` (upper
    bounds and counts taken from ``counts``)."""
    rows = [*glass_work(config, model, counts), *dms_work(config, model, counts),
            *scattering_work(config, model), *metad_work(config, model),
            *art_work(config, counts)]
    work = pd.DataFrame(rows)
    return work.assign(atom_steps=work.steps * config["n_atoms"], n_atoms=config["n_atoms"])


def cost_estimate(work: pd.DataFrame, costs: pd.DataFrame) -> pd.DataFrame:
    """Core-hours of ``work`` (campaign_work) at ``costs`` (measured_costs), per stage and
    in a 'total' row: ``core_hours`` at the median cost per atom-step, ``low`` and
    ``high`` with every process at its 16th and at its 84th percentile; ``jobs``,
    ``atom_steps``, ``n_atoms`` and the ``notes`` of its processes. A stage with a
    process whose cost was not measured has NaN core-hours."""
    rates = costs.reindex(pd.MultiIndex.from_frame(work[["cost_stage", "kind"]]))
    hours = {name: work.atom_steps.to_numpy() * rates[column].to_numpy() / SECONDS_PER_HOUR
             for name, column in (("core_hours", "median"), ("low", "p16"), ("high", "p84"))}
    notes = np.where(work.note != "", work.process + ": " + work.note, "")
    rows = work.assign(**hours, notes=notes)
    sums = {name: (name, _sum_of_all) for name in hours}
    per_stage = rows.groupby("stage", sort=False).agg(
        jobs=("jobs", "sum"), atom_steps=("atom_steps", "sum"), n_atoms=("n_atoms", "first"),
        **sums, notes=("notes", lambda n: "; ".join(filter(None, n))))
    total = rows.assign(stage="total", notes="").groupby("stage").agg(
        jobs=("jobs", "sum"), atom_steps=("atom_steps", "sum"), n_atoms=("n_atoms", "first"),
        **sums, notes=("notes", "first"))
    return pd.concat([per_stage, total])


def _sum_of_all(values: pd.Series) -> float:
    """The sum, NaN if any value is NaN (a process not measured)."""
    return values.sum(min_count=len(values)) if values.notna().all() else np.nan


def _hours(value: float) -> str:
    """Core-hours for print: whole numbers from 10 up, two significant digits below."""
    if not np.isfinite(value):
        return "not measured"
    return f"{value:,.0f}" if value >= 10 else f"{value:.2g}"


def format_cost_lines(estimate: pd.DataFrame, label: str) -> list[str]:
    """Printable lines of ``estimate`` (cost_estimate): the total first, then each stage
    with its jobs, atom-steps, core-hours, 16th-84th percentile range and notes."""
    total = estimate.loc["total"]
    lines = [f"{label}: {int(total.n_atoms)} atoms, {int(total.jobs)} LAMMPS jobs, "
             f"{total.atom_steps:.3g} atom-steps, total {_hours(total.core_hours)} core-h "
             f"({_hours(total.low)}-{_hours(total.high)})"]
    for stage, row in estimate.drop(index="total").iterrows():
        notes = f" ({row.notes})" if row.notes else ""
        lines.append(f"  {stage} {_hours(row.core_hours)} core-h ({_hours(row.low)}-"
                     f"{_hours(row.high)}), {int(row.jobs)} jobs, {row.atom_steps:.3g} "
                     f"atom-steps{notes}")
    return lines


STAND_INS = {"CuZr_Mendelev2009": "CuZr_Mendelev2007"}
"""Shipped potentials of the same species, for validating a config whose file is absent."""


def config_for_costing(path: Path) -> tuple[dict, str]:
    """The validated config of ``path``, and what was changed to validate it ('' if
    nothing): a config whose potential file is not here is validated with the shipped
    potential of the same species (STAND_INS), since the work does not depend on the
    potential and every config is costed at the measured potential's cost anyway."""
    config = yaml.safe_load(Path(path).read_text())
    try:
        return validate_config(config), ""
    except ConfigError:
        stand_in = STAND_INS.get(config["model"])
        if stand_in is None:
            raise
        return (validate_config({**config, "model": stand_in}),
                f"validated with {stand_in}: the {config['model']} file is not here")

