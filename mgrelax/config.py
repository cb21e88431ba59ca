"""Validation of the workflow configuration before anything runs.

The JSON schema (``workflow/schemas/config.schema.yaml``) checks types, ranges
and allowed values and fills in defaults; :func:`validate_config` adds the
checks a schema cannot express (the model exists, the composition matches its
species and sums to 1, the potential file is present and genuine, the
temperatures are ordered). Every problem is reported as one line that names the
key, the value and what is allowed.
"""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import yaml

from mgrelax.launch import LaunchSettings
from mgrelax.plan import atom_counts, lammps_timestep
from mgrelax.potentials import Model, PotentialError, load_catalogue, resolve_potential_file

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "workflow" / "schemas" / "config.schema.yaml"
COMPOSITION_TOLERANCE = 1e-6
MIN_STEPS_PER_DMS_CYCLE = 100
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


_Validator = _with_defaults(jsonschema.Draft202012Validator)


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
    return (f"config error: {_key(error.path)} = {error.instance!r}: {error.message}"
            f"{_yaml_number_hint(error.instance)}")


def _yaml_number_hint(value) -> str:
    """YAML 1.1 reads '1.0e13' as text: say so when a string looks like a number."""
    try:
        float(value)
    except (TypeError, ValueError):
        return ""
    return (" (YAML reads exponents without a sign as text: write e.g. 1.0e+13)"
            if isinstance(value, str) else "")


def validate_config(config: dict) -> dict:
    """The validated configuration with defaults; raise ConfigError naming the bad key."""
    config = apply_schema(config)
    model = model_of(config)
    _check_composition(config, model)
    _check_temperatures(config)
    _check_dms_periods(config, model)
    _check_launch(config)
    _check_metad(config, model)
    _check_art(config, model)
    try:
        resolve_potential_file(model)
    except PotentialError as error:
        raise ConfigError(f"config error: {error}") from None
    return config


def _check_launch(config: dict) -> None:
    """The launch settings are possible, the defaults and each stage's overrides."""
    for stage in (None, *config["stages"]):
        try:
            launch_settings(config, stage)
        except ValueError as error:
            where = f"stages.{stage}." if stage else ""
            raise ConfigError(f"config error: {where}{error}") from None


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
    quench_end = config["quench"]["temperature_end"]
    if quench_end >= melt:
        raise ConfigError(f"config error: quench.temperature_end = {quench_end}: must be below "
                          f"melt.temperature ({melt})")


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


def _check_dms_periods(config: dict, model: Model) -> None:
    """Every DMS period must span enough time steps to resolve a cycle."""
    dms = config["dms"]
    timestep = lammps_timestep(config, model)
    for key, periods in (("dms.periods", dms["periods"]),
                         ("dms.amplitude_sweep.period", [dms["amplitude_sweep"].get("period")]),
                         ("dms.correspondence.period", [dms["correspondence"].get("period")])):
        for period in periods:
            if period is not None and period < MIN_STEPS_PER_DMS_CYCLE * timestep:
                raise ConfigError(
                    f"config error: {key} = {period}: a period must be at least "
                    f"{MIN_STEPS_PER_DMS_CYCLE} time steps ({MIN_STEPS_PER_DMS_CYCLE * timestep:g} "
                    f"{model.units.time}) to resolve a cycle")


def _require_metal_units(model: Model, key: str, stage: str) -> None:
    """``stage`` (turned on by ``key``) works in metal units (Angstrom, eV, K) only."""
    if model.units.lammps_style != "metal":
        raise ConfigError(f"config error: {key}: {stage} needs a metal-units model (Angstrom, "
                          f"eV, K); {model.name} uses {model.units.lammps_style}")


def _check_metad(config: dict, model: Model) -> None:
    """Metadynamics settings a schema cannot check: temperatures, species, lengths."""
    metad, campaign = config["metad"], config["temperatures"]
    if not metad["temperatures"]:
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
    timestep = lammps_timestep(config, model)
    segment_steps = round(metad["check_interval"] / timestep)
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
    if metad["experiments"] is not None and not Path(metad["experiments"]).is_file():
        raise ConfigError(f"config error: metad.experiments = {metad['experiments']!r}: no such "
                          "file (a CSV with columns label, temperature, frequency)")


def _check_art(config: dict, model: Model) -> None:
    """ART settings a schema cannot check: the starting glass, the clusters, the NEB launch."""
    art, campaign = config["art"], config["temperatures"]
    if not art["centres"]:
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
    available = atom_counts(config, model)[species]
    if not listed and -(-art["centres"] // config["samples"]) > available:
        raise ConfigError(f"config error: art.centres = {art['centres']}: more than the "
                          f"{available} {species} atoms of each of the {config['samples']} "
                          "glass samples")
    if art["mode_radius"] < art["push_radius"]:
        raise ConfigError(f"config error: art.mode_radius = {art['mode_radius']}: must be at "
                          f"least art.push_radius ({art['push_radius']} Angstrom)")
    if art["neb"]["events"] and launch_settings(config, "art").mpi_launcher == "none":
        raise ConfigError("config error: art.neb.events = "
                          f"{art['neb']['events']}: the NEB runs one MPI rank per replica and "
                          "needs lammps.mpi_launcher (mpirun, mpiexec or srun), or set it to 0")
