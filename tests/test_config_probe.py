"""A probe of malformed configs, as a new user might write them: each a small change of
the tiny config that validate_config must refuse before anything runs, in one line
that starts with the key it names."""

import math
from pathlib import Path

import pytest
import yaml

from conftest import REPO, TINY_CONFIG
from mgrelax.config import ConfigError, validate_config
from test_config import with_change

NAN, INF = math.nan, math.inf

BAD_CONFIGS = [
    # (changed key, its value, the key the message must start with)
    # NaN and infinities pass every bound of the schema
    ("pressure", NAN, "pressure"),
    ("pressure", INF, "pressure"),
    ("pressure", -INF, "pressure"),
    ("temperatures", [300, NAN], "temperatures.1"),
    ("melt.temperature", INF, "melt.temperature"),
    ("quench.cooling_rate", NAN, "quench.cooling_rate"),
    ("record_interval", NAN, "record_interval"),
    ("composition", {"Cu": NAN, "Zr": 0.5}, "composition.Cu"),
    ("timestep", INF, "timestep"),
    ("dms.periods", [1.0, INF], "dms.periods.1"),
    ("metad.hill_weight", NAN, "metad.hill_weight"),
    ("anneal.duration", -INF, "anneal.duration"),
    ("dms.correspondence.temperature", INF, "dms.correspondence.temperature"),
    ("melt.temperature", 10**400, "melt.temperature"),
    # floats where the schema says integer (YAML reads 2.0 as a float)
    ("samples", 2.0, "samples"),
    ("equilibrate.frames", 5.0, "equilibrate.frames"),
    ("n_atoms", 250.0, "n_atoms"),
    ("dms.cycles", 4.0, "dms.cycles"),
    ("art.centres", 2.0, "art.centres"),
    ("metad.samples", 2.0, "metad.samples"),
    ("metad.centres", [1.0], "metad.centres.0"),
    ("lammps.ranks", 1.0, "lammps.ranks"),
    ("seed", 4242.0, "seed"),
    ("figures.dpi", 300.0, "figures.dpi"),
    ("samples", True, "samples"),
    # huge counts
    ("samples", 10**9, "samples"),
    ("n_atoms", 10**9, "n_atoms"),
    ("metad.samples", 10**9, "metad.samples"),
    ("art.centres", 10**9, "art.centres"),
    ("dms.cycles", 10**9, "dms.cycles"),
    ("structure.n_bins", 10**9, "structure.n_bins"),
    ("equilibrate.frames", 10**9, "equilibrate.frames"),
    ("inherent_structure.max_iterations", 10**10, "inherent_structure.max_iterations"),
    ("metad.hill_interval", 10**12, "metad.hill_interval"),
    ("seed", 899_999_999, "seed"),
    # negative, zero, wrong type
    ("samples", 0, "samples"),
    ("samples", -1, "samples"),
    ("timestep", 0, "timestep"),
    ("thermostat_damping", -0.2, "thermostat_damping"),
    ("record_interval", 0, "record_interval"),
    ("temperatures", [], "temperatures"),
    ("temperatures", [300, 300], "temperatures"),
    ("n_atoms", "250", "n_atoms"),
    ("melt.duration", "10 ps", "melt.duration"),
    ("quench.cooling_rate", "1e13", "quench.cooling_rate"),
    ("dms.periods", 1.0, "dms.periods"),
    ("composition", {"Cu": 1.5, "Zr": -0.5}, "composition.Cu"),
    ("melt", None, "melt"),
    # folder labels (%g) that collide, that no wildcard matches, that do not read back
    ("dms.periods", [1.0, 1.0000001], "dms.periods"),
    ("temperatures", [300, 1e20], "temperatures"),
    ("temperatures", [300, 300.0000001], "temperatures"),
    ("temperatures", [300, 0.00001], "temperatures"),
    ("dms.amplitude_sweep.amplitudes", [0.006, 0.0060000001], "dms.amplitude_sweep.amplitudes"),
    ("metad.size_convergence.cutoffs", ["first_peak", 4.0, 4.0000001],
     "metad.size_convergence.cutoffs"),
    ("metad.cutoff", 4.00000001, "metad.cutoff"),
    ("dms.amplitude", 0.0120000001, "dms.amplitude"),
    ("dms.amplitude_sweep.period", 1.0000001, "dms.amplitude_sweep.period"),
    # metadynamics centres beyond the glass
    ("metad.centres", [1, 251], "metad.centres"),
    ("metad.samples", 300, "metad.samples"),
    ("metad.size_convergence.samples", 300, "metad.size_convergence.samples"),
    ("metad", {"temperatures": [300], "centres": [1, 2],
               "size_convergence": {"cutoffs": [4.0], "temperature": 300, "samples": 3}},
     "metad.size_convergence.samples"),
    # DMS cycles left for the fit
    ("dms.skip_cycles", 4, "dms.skip_cycles"),
    ("dms.skip_cycles", 9, "dms.skip_cycles"),
    # record interval longer than its run; runs of zero steps
    ("record_interval", 5.0, "record_interval"),
    ("quench.cooling_rate", 5.0e+16, "record_interval"),
    ("melt.duration", 0.0005, "melt.duration"),
    ("quench.cooling_rate", 1.0e+19, "quench.cooling_rate"),
    ("anneal", {"temperature": 300.0, "duration": 0.0}, "anneal.duration"),
    # runs longer than the bound on time steps
    ("quench.cooling_rate", 1.0e+5, "quench.cooling_rate"),
    ("anneal.duration", 1.0e+7, "anneal.duration"),
    ("anneal.rate", 1.0e+4, "anneal.rate"),
    ("dms.periods", [1.0, 1.0e+6], "dms.periods"),
    ("metad.max_duration", 1.0e+7, "metad.max_duration"),
    ("intermediate_scattering.duration", 1.0e+7, "intermediate_scattering.duration"),
    ("equilibrate.duration", 1.0e+7, "equilibrate.duration"),
    # Tg fit windows reversed or overlapping
    ("glass_transition.glass_window", [0.15, 0.0], "glass_transition.glass_window"),
    ("glass_transition.liquid_window", [0.75, 0.45], "glass_transition.liquid_window"),
    ("glass_transition", {"glass_window": [0.0, 0.5], "liquid_window": [0.4, 0.8]},
     "glass_transition.liquid_window"),
    ("glass_transition", {"glass_window": [0.0, 0.3], "liquid_window": [0.35, 0.75]},
     "glass_transition.liquid_window"),
    # temperatures out of order or outside the campaign
    ("anneal.temperature", 2500.0, "anneal.temperature"),
    ("anneal.temperature", 2000.0, "anneal.temperature"),
    ("quench.temperature_end", 2000.0, "quench.temperature_end"),
    ("metad.size_convergence", {"cutoffs": [4.0], "temperature": 450},
     "metad.size_convergence.temperature"),
    ("metad", {"temperatures": [], "size_convergence": {"cutoffs": [4.0], "temperature": 450}},
     "metad.size_convergence.temperature"),
    ("art.temperature", 450, "art.temperature"),
    ("dms.temperatures", [450], "dms.temperatures"),
    # files outside the project, missing files and binaries
    ("metad.experiments", "../../etc/x.csv", "metad.experiments"),
    ("metad.experiments", "data/../../x.csv", "metad.experiments"),
    ("metad.experiments", "no_such_experiments.csv", "metad.experiments"),
    ("lammps", {"engine": "executable", "executable": "no_such_lammps_binary"},
     "lammps.executable"),
    ("lammps", {"engine": "executable", "executable": "./no/such/lmp"}, "lammps.executable"),
    ("stages.glass", {"lammps": {"engine": "executable", "executable": "no_such_lmp"}},
     "stages.glass.lammps.executable"),
    # unknown keys and injection strings
    ("melt.temprature", 2000.0, "melt"),
    ("sampels", 2, "(top level)"),
    ("model", "CuZr_Mendelev2007; rm -rf ~", "model"),
    ("metad.centre_species", "Cu; rm", "metad.centre_species"),
    ("metad.experiments", "x.csv; shell rm -rf ~", "metad.experiments"),
    ("lammps.executable", "lmp; rm -rf ~", "lammps.executable"),
    ("resources.account", "x; shell rm", "resources.account"),
    ("stages.glass.resources", {"partition": "gpu && rm"}, "stages.glass.resources.partition"),
    ("composition", {"Cu; rm": 0.5, "Zr": 0.5}, "composition.'Cu; rm'"),
    ("melt.temperature", "2000\nshell rm -rf ~", "melt.temperature"),
]
"""The probe of issue 18 (validation before LAMMPS): malformed configs, each refused."""


def refusal(path: str, value) -> str | None:
    """validate_config's message for the tiny config with ``path`` set to ``value``;
    None if it is accepted."""
    config = with_change(yaml.safe_load(TINY_CONFIG.read_text()), path, value)
    try:
        validate_config(config)
    except ConfigError as error:
        return str(error)
    return None


def refused_cleanly(message: str | None, key: str) -> bool:
    """One line that starts with the key it names."""
    return (message is not None and "\n" not in message
            and message.startswith((f"config error: {key} = ", f"config error: {key}: ")))


@pytest.mark.parametrize("path, value, key", BAD_CONFIGS)
def test_bad_config_is_refused_in_one_line_naming_the_key(path, value, key):
    message = refusal(path, value)
    assert refused_cleanly(message, key), message


def test_probe_figures(capsys):
    """How many bad configs were tried and how many were refused cleanly."""
    refused = sum(refused_cleanly(refusal(path, value), key) for path, value, key in BAD_CONFIGS)
    with capsys.disabled():
        print(f"\n{len(BAD_CONFIGS)} bad configs tried, {refused} refused with one line "
              "naming the key")
    assert len(BAD_CONFIGS) >= 60 and refused == len(BAD_CONFIGS)


@pytest.mark.parametrize("config_file", [TINY_CONFIG, *sorted((REPO / "config").glob("*.yaml"))],
                         ids=lambda path: Path(path).name)
def test_shipped_configs_pass_every_check(config_file):
    """The new checks refuse none of the shipped campaigns (the Mendelev 2009 file is
    not shipped: those run the checks with the 2007 one)."""
    config = yaml.safe_load(Path(config_file).read_text())
    if config["model"] == "CuZr_Mendelev2009":
        config["model"] = "CuZr_Mendelev2007"
    assert validate_config(config)["temperatures"] == config["temperatures"]
