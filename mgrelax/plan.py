"""The campaign's plan as the rules read it while Snakemake parses the workflow:
folder labels, atoms per species, the time step and the ART searches.

Only the standard library is imported here, so that building the job graph of a
paper-scale campaign (thousands of jobs) does not wait for scipy or matplotlib.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product

from mgrelax.potentials import Model


def number_label(value: float) -> str:
    """Folder-name form of a temperature, period or amplitude: 300 -> '300', 0.45 -> '0.45'."""
    return f"{value:g}"


WILDCARD_PATTERNS = {
    "temperature": r"[0-9.]+",
    "period": r"[0-9.e+-]+",
    "amplitude": r"[0-9.e+-]+",
    "cutoff": r"first_peak|first_minimum|[0-9.]+",
    "rate": r"[0-9.e+-]+",
}
"""The wildcard_constraints of the folder labels in workflow/rules/*.smk: a label that
does not match them names a folder no rule can make."""


STAGE_FOLDERS = ("glass", "dms", "scattering", "metad", "art")
"""The folders of a campaign's results folder (config ``results``) that its stages
write; other campaigns may keep theirs below it (results/validation/<name>)."""


def logs_folder(results: str) -> str:
    """The log folder of a campaign whose results are in ``results``: logs/ with the same
    path below it ('results' -> 'logs', 'results/validation/cuzr' -> 'logs/validation/cuzr')."""
    return "logs" + results[len("results"):]


def extra_cooling_rates(config: dict) -> list[float]:
    """The glass_transition.cooling_rates quenched besides the campaign's own
    quench.cooling_rate (by folder label: a rate with its label is not quenched twice)."""
    own = number_label(config["quench"]["cooling_rate"])
    return [rate for rate in config["glass_transition"]["cooling_rates"]
            if number_label(rate) != own]


def cutoff_label(cutoff) -> str:
    """Folder-name form of a cutoff: a g(r) radius name, or the number in Angstrom."""
    return cutoff if isinstance(cutoff, str) else number_label(cutoff)


CORRESPONDENCE_MODES = ("shear", "uniaxial", "isostatic")
"""The loading modes of the DMS correspondence point (M' = K' + 4/3 G')."""


def job_grid(**labels) -> list[dict]:
    """The wildcards of every combination of ``labels`` (one list of labels per
    wildcard), in order: the job grids below, which the rules expand and the cost
    model counts."""
    return [dict(zip(labels, combination)) for combination in product(*labels.values())]


def unique_jobs(*grids: list[dict]) -> list[dict]:
    """The wildcards of ``grids`` joined, each job once, in first-seen order."""
    jobs = {tuple(wildcards.items()): wildcards for grid in grids for wildcards in grid}
    return list(jobs.values())


def dms_correspondence_jobs(config: dict, samples) -> list[dict]:
    """The DMS correspondence point of ``samples`` in its three loading modes ([] without
    dms.correspondence)."""
    dms = config["dms"]
    point = dms["correspondence"]
    if not point:
        return []
    return job_grid(sample=samples, temperature=[number_label(point["temperature"])],
                    mode=CORRESPONDENCE_MODES, period=[number_label(point["period"])],
                    amplitude=[number_label(dms["amplitude"])])


def dms_grid_jobs(config: dict) -> list[dict]:
    """Every DMS run of the temperature x mode x period grid and of the correspondence
    point: the runs with IS D_min and D2min ([] without dms.periods)."""
    dms, samples = config["dms"], range(config["samples"])
    if not dms["periods"]:
        return []
    grid = job_grid(sample=samples,
                    temperature=map(number_label, dms.get("temperatures", config["temperatures"])),
                    mode=dms["modes"], period=map(number_label, dms["periods"]),
                    amplitude=[number_label(dms["amplitude"])])
    return unique_jobs(grid, dms_correspondence_jobs(config, samples))


def dms_sweep_jobs(config: dict) -> list[dict]:
    """The DMS runs of the strain-amplitude sweep ([] without dms.amplitude_sweep.amplitudes)."""
    sweep = config["dms"]["amplitude_sweep"]
    return job_grid(sample=range(config["samples"]),
                    temperature=[number_label(sweep.get("temperature", 0))],
                    mode=[sweep["mode"]], period=[number_label(sweep.get("period", 0))],
                    amplitude=map(number_label, sweep["amplitudes"]))


def metad_campaign_jobs(config: dict) -> list[dict]:
    """The metadynamics runs at metad.temperatures on clusters of metad.cutoff."""
    metad = config["metad"]
    return job_grid(temperature=map(number_label, metad["temperatures"]),
                    cutoff=[cutoff_label(metad["cutoff"])], run=range(_metad_run_count(metad)))


def metad_size_series_jobs(config: dict) -> list[dict]:
    """The metadynamics runs of the cluster-size series (metad.size_convergence)."""
    metad = config["metad"]
    size = metad["size_convergence"]
    return job_grid(temperature=[number_label(size.get("temperature", 0))],
                    cutoff=map(cutoff_label, size["cutoffs"]),
                    run=range(size.get("samples", _metad_run_count(metad))))


def _metad_run_count(metad: dict) -> int:
    """Runs per temperature: one per listed centre, else metad.samples."""
    return len(metad["centres"]) or metad["samples"]


def lammps_timestep(config: dict, model: Model) -> float:
    """MD time step in LAMMPS time units (ps for metal)."""
    return config["timestep"] * model.units.timestep_to_time


def steps_for(duration: float, config: dict, model: Model) -> int:
    """Number of time steps covering ``duration`` (LAMMPS time units)."""
    return int(round(duration / lammps_timestep(config, model)))


def ramp_duration(t_from: float, t_to: float, rate: float, model: Model) -> float:
    """LAMMPS time to change the temperature from ``t_from`` to ``t_to`` at ``rate``
    (config units: K/s for metal models)."""
    return abs(t_to - t_from) / (rate * model.units.cooling_rate_to_lammps)


def atom_counts(config: dict, model: Model) -> dict[str, int]:
    """Atoms per species for the composition, by largest remainder (they sum to n_atoms)."""
    n_atoms, composition = config["n_atoms"], config["composition"]
    exact = {s: composition.get(s, 0.0) * n_atoms for s in model.species_names}
    counts = {s: math.floor(v) for s, v in exact.items()}
    missing = n_atoms - sum(counts.values())
    for species in sorted(exact, key=lambda s: exact[s] - counts[s], reverse=True)[:missing]:
        counts[species] += 1
    return counts


def dense_volume(config: dict, model: Model) -> float:
    """Volume (A^3) of n_atoms at the model's atomic volumes: the glass's volume about
    (the melt starts from a looser box, melt.packing_factor times this)."""
    volume_per_atom = sum(config["composition"].get(species, 0.0) * values["atomic_volume"]
                          for species, values in model.species.items())
    return config["n_atoms"] * volume_per_atom


def search_radii(art: dict) -> dict[str, float]:
    """The radii (A) of an ART search around its centre, by config key; the moving radius
    only where the far field is frozen (art.engine.moving_radius > 0)."""
    radii = {"art.push_radius": art["push_radius"], "art.mode_radius": art["mode_radius"]}
    moving = art["engine"].get("moving_radius", 0.0)
    return {**radii, "art.engine.moving_radius": moving} if moving else radii


def radius_beyond_box(radii: dict[str, float], narrowest_width: float) -> str:
    """The one-line refusal of the first radius that reaches half ``narrowest_width`` (A)
    of the box: beyond it the sphere around a centre can meet its own periodic image and
    minimum-image distances are no longer exact; '' if every radius is below."""
    half_width = narrowest_width / 2
    for key, radius in radii.items():
        if radius >= half_width:
            return (f"{key} = {radius:g} Angstrom: reaches half the narrowest box width "
                    f"({narrowest_width:.2f} Angstrom), so the sphere around a centre can "
                    f"meet its own periodic image; allowed: below {half_width:.2f}")
    return ""


@dataclass(frozen=True)
class Search:
    """One search: cluster index c (centred like metadynamics run c) and push seed."""

    cluster: int
    seed: int


def sample_searches(art: dict, samples: int, sample: int) -> list[Search]:
    """The searches on glass sample ``sample``: its clusters in order, each with
    searches_per_centre seeds."""
    per_centre = art["searches_per_centre"]
    return [Search(cluster, art["seed"] + cluster * per_centre + k)
            for cluster in range(sample, art["centres"], samples) for k in range(per_centre)]


def batches(art: dict, samples: int, sample: int) -> list[list[Search]]:
    """The searches of ``sample`` in batches of at most art.batch_size."""
    searches, size = sample_searches(art, samples, sample), art["batch_size"]
    return [searches[start:start + size] for start in range(0, len(searches), size)]


MD_SETTINGS = ("model", "timestep", "pressure", "thermostat_damping", "barostat_damping",
               "record_interval")
"""What an MD run's trajectory and recorded series depend on besides its input files."""
CAPTION_SETTINGS = ("model", "n_atoms", "samples", "quench.cooling_rate")
"""What the captions and titles of the summary figures state about the runs."""
RULE_SETTINGS = {
    "melt": MD_SETTINGS + ("seed", "composition", "n_atoms", "melt", "structure"),
    "quench": MD_SETTINGS + ("n_atoms", "melt.temperature", "quench"),
    "glass_transition": ("model", "glass_transition.glass_window",
                         "glass_transition.liquid_window"),
    "anneal": MD_SETTINGS + ("quench.temperature_end", "quench.cooling_rate", "anneal"),
    "equilibrate": MD_SETTINGS + ("anneal.temperature", "equilibrate", "structure"),
    "inherent_structure": ("model", "inherent_structure"),
    "glass_summary": CAPTION_SETTINGS + ("structure", "anneal.temperature"),
    "quench_at_rate": MD_SETTINGS + ("n_atoms", "melt.temperature", "quench.temperature_end"),
    "glass_transition_at_rate": ("model", "glass_transition.glass_window",
                                 "glass_transition.liquid_window"),
    "tg_cooling_rate": CAPTION_SETTINGS + ("glass_transition.extrapolate_to",),
    "dms": MD_SETTINGS + ("dms.cycles", "dms.skip_cycles"),
    "dms_cycle_figure": ("model",),
    "dms_displacement": ("model", "inherent_structure", "dms.d2min_cutoff"),
    "dms_slice_figure": ("model",),
    "dms_summary": CAPTION_SETTINGS + ("dms.scaling_law",),
    "dms_loading_figure": ("model",),
    "dms_amplitude_sweep": CAPTION_SETTINGS,
    "intermediate_scattering": MD_SETTINGS + ("intermediate_scattering",),
    "scattering_summary": CAPTION_SETTINGS,
    "metad": MD_SETTINGS + tuple(f"metad.{key}" for key in (
        "centre_species", "centres", "seed", "fit", "hill_weight", "hill_width",
        "hill_interval", "bias_temperature", "rmsd_max", "trajectory_interval",
        "check_interval", "max_duration", "saddle_prominence")),
    "metad_run_figure": ("model",),
    "metad_summary": CAPTION_SETTINGS + ("metad.attempt_frequency", "metad.experiments"),
    "metad_size_convergence": CAPTION_SETTINGS + ("metad.attempt_frequency",),
    "art_batch": ("model", "samples") + tuple(f"art.{key}" for key in (
        "centres", "searches_per_centre", "seed", "batch_size", "push_radius",
        "mode_radius", "engine")) + ("metad.centre_species", "metad.centres", "metad.seed"),
    "art_events": CAPTION_SETTINGS + ("art",),
    "art_spectrum_figure": ("model",),
    "art_neb": ("model", "art.neb"),
    "art_neb_figure": ("model",),
    "provenance": (),
    "verify": (),
    "validation": CAPTION_SETTINGS + ("composition", "anneal", "metad.samples",
                                      "metad.temperatures", "dms.periods"),
}
"""The config keys (dotted paths) each rule's results depend on besides its input files.
Given to the rule as params, they make Snakemake rerun exactly the jobs whose settings
changed (and, through their files, what depends on them): the grid keys (temperatures,
periods, samples, ...) decide which jobs exist, not what one of them computes, and the
launch and scheduler sections change how a job runs, not its physics."""


def rule_settings(config: dict, rule: str) -> dict:
    """{dotted key: value} of the settings of ``rule`` in ``config`` (RULE_SETTINGS), with
    every mapping's keys sorted, so that reordering keys in the config file reruns
    nothing (Snakemake compares the params' text)."""
    return {key: _sorted_keys(setting(config, key)) for key in RULE_SETTINGS[rule]}


def setting(config: dict, key: str):
    """The value of the dotted ``key`` in ``config`` (None where it is not given)."""
    value = config
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _sorted_keys(value):
    if isinstance(value, dict):
        return {key: _sorted_keys(value[key]) for key in sorted(value)}
    return value
