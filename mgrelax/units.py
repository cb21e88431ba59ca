"""Unit systems of the supported models and the conversions the config needs.

The config gives temperatures, durations, time steps, pressures and cooling
rates in the *model's* unit system: for ``metal`` models K, ps, fs, bar and
K/s (the units of the papers); for ``lj`` models the reduced units
epsilon/k_B, tau, tau, epsilon/sigma^3 and (epsilon/k_B)/tau.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class UnitSystem:
    """Names of the units of one LAMMPS unit style and the config conversions."""

    lammps_style: str
    temperature: str
    time: str
    length: str
    energy: str
    pressure: str
    volume: str
    config_timestep: str
    config_cooling_rate: str
    timestep_to_time: float  # config time step -> LAMMPS time unit
    cooling_rate_to_lammps: float  # config cooling rate -> temperature per LAMMPS time unit
    boltzmann: float  # k_B in energy / temperature
    stress: str  # unit in which stresses and moduli are reported
    pressure_to_stress: float  # LAMMPS pressure unit -> stress unit


METAL = UnitSystem(
    lammps_style="metal",
    temperature="K",
    time="ps",
    length="Angstrom",
    energy="eV",
    pressure="bar",
    volume="Angstrom^3",
    config_timestep="fs",
    config_cooling_rate="K/s",
    timestep_to_time=1.0e-3,
    cooling_rate_to_lammps=1.0e-12,
    boltzmann=8.617333262e-5,
    stress="GPa",
    pressure_to_stress=1.0e-4,
)

LJ = UnitSystem(
    lammps_style="lj",
    temperature="epsilon/k_B",
    time="tau",
    length="sigma",
    energy="epsilon",
    pressure="epsilon/sigma^3",
    volume="sigma^3",
    config_timestep="tau",
    config_cooling_rate="(epsilon/k_B)/tau",
    timestep_to_time=1.0,
    cooling_rate_to_lammps=1.0,
    boltzmann=1.0,
    stress="epsilon/sigma^3",
    pressure_to_stress=1.0,
)

UNIT_SYSTEMS = {u.lammps_style: u for u in (METAL, LJ)}
