"""The campaign's plan as the rules read it while Snakemake parses the workflow:
folder labels, atoms per species, the time step and the ART searches.

Only the standard library is imported here, so that building the job graph of a
paper-scale campaign (thousands of jobs) does not wait for scipy or matplotlib.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mgrelax.potentials import Model


def number_label(value: float) -> str:
    """Folder-name form of a temperature, period or amplitude: 300 -> '300', 0.45 -> '0.45'."""
    return f"{value:g}"


def cutoff_label(cutoff) -> str:
    """Folder-name form of a cutoff: a g(r) radius name, or the number in Angstrom."""
    return cutoff if isinstance(cutoff, str) else number_label(cutoff)


def lammps_timestep(config: dict, model: Model) -> float:
    """MD time step in LAMMPS time units (ps for metal)."""
    return config["timestep"] * model.units.timestep_to_time


def atom_counts(config: dict, model: Model) -> dict[str, int]:
    """Atoms per species for the composition, by largest remainder (they sum to n_atoms)."""
    n_atoms, composition = config["n_atoms"], config["composition"]
    exact = {s: composition.get(s, 0.0) * n_atoms for s in model.species_names}
    counts = {s: math.floor(v) for s, v in exact.items()}
    missing = n_atoms - sum(counts.values())
    for species in sorted(exact, key=lambda s: exact[s] - counts[s], reverse=True)[:missing]:
        counts[species] += 1
    return counts


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
