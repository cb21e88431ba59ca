"""The real workflow, end to end, on the tiny config (Snakemake + LAMMPS, a minute or so)."""

import json

import numpy as np
import pandas as pd
import pytest

from conftest import run_snakemake
from mgrelax.lammps_io import read_data_file, read_hdf5
from mgrelax.potentials import load_catalogue


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("workflow")
    result = run_snakemake(work)
    assert result.returncode == 0, result.stderr[-3000:]
    return work


def test_every_stage_publishes_its_results(tiny_run):
    glass = tiny_run / "results" / "glass"
    for sample in (0, 1):
        for step in ("melt/liquid.data", "quench/quench.h5", "anneal/annealed.data",
                     "T300/equilibrate/glass.data", "T600/inherent/inherent.data",
                     "glass_transition.json"):
            assert (glass / f"sample{sample}" / step).is_file(), step
        assert (glass / f"sample{sample}" / "quench" / "in.lammps").is_file()
        assert not list((glass / f"sample{sample}").rglob("*.partial"))
    for figure in ("glass_transition", "pair_distribution"):
        for suffix in (".png", ".pdf"):
            assert (glass / "figures" / (figure + suffix)).stat().st_size > 1000


def test_second_run_has_nothing_to_do(tiny_run):
    result = run_snakemake(tiny_run, "--dry-run")
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


def test_provenance_names_lammps_potential_seeds_and_launch(tiny_run):
    record = json.loads((tiny_run / "results/glass/sample1/melt/provenance.json").read_text())
    assert record["lammps"]["version"] == "20250722"
    assert {"MANYBODY", "COLVARS", "REPLICA", "OPENMP"} <= set(record["lammps"]["packages"])
    model = load_catalogue()["CuZr_Mendelev2007"]
    assert record["potential"]["sha256"] == model.sha256
    assert record["seeds"] == {"placement": 4242 + 7919, "velocity": 4242 + 7919 + 1}
    assert record["mpi_ranks"] == 1 and record["accelerator"] == "none"
    assert record["config"]["n_atoms"] == 250
    assert record["workflow_version"].startswith("0.1.0")
    _, attributes = read_hdf5(tiny_run / "results/glass/sample0/quench/quench.h5")
    assert json.loads(attributes["provenance"])["potential"]["sha256"] == model.sha256


def test_quench_follows_the_set_cooling_rate(tiny_run):
    datasets, _ = read_hdf5(tiny_run / "results/glass/sample0/quench/quench.h5")
    time, target = datasets["time"][0], datasets["target_temperature"][0]
    temperature = datasets["temperature"][0]
    assert datasets["temperature"][1] == "K" and datasets["time"][1] == "ps"
    # 1e14 K/s = 100 K/ps from 2000 K; the thermostat follows within its noise
    assert np.polyfit(time, target, 1)[0] == pytest.approx(-100.0, rel=1e-3)
    assert np.polyfit(time, temperature, 1)[0] == pytest.approx(-100.0, rel=0.1)
    assert target[0] == pytest.approx(2000.0 - 100.0 * time[0], abs=1.0)
    assert np.abs(temperature - target).mean() < 50.0


def test_inherent_structures_are_minima_below_the_glass(tiny_run):
    table = pd.read_csv(tiny_run / "results/glass/inherent_structures.csv")
    assert len(table) == 4
    assert (table["max_force_component"] < 1e-4).all()
    assert (table["potential_energy"] < table["initial_potential_energy"]).all()
    glass = read_data_file(tiny_run / "results/glass/sample0/T300/equilibrate/glass.data")
    inherent = read_data_file(tiny_run / "results/glass/sample0/T300/inherent/inherent.data")
    assert (glass.ids == inherent.ids).all() and (glass.box == inherent.box).all()


def test_structure_of_the_glass_is_amorphous_cu_zr(tiny_run):
    table = pd.read_csv(tiny_run / "results/glass/structure.csv")
    at_300 = table[(table["temperature"] == 300.0)].groupby("pair")["r_peak"].mean()
    # Cu50Zr50 glass: Cu-Cu ~2.5-2.6, Cu-Zr ~2.7-2.8, Zr-Zr ~3.1-3.2 Angstrom
    assert 2.4 < at_300["Cu-Cu"] < at_300["Cu-Zr"] < at_300["Zr-Zr"] < 3.4
    total = table[table["pair"] == "total"]
    assert (total["r_min"] > total["r_peak"]).all()
    check = json.loads((tiny_run / "results/glass/sample0/melt/liquid_check.json").read_text())
    assert check["passed"] and check["msd_final"] > check["msd_threshold"]


def test_a_lammps_error_fails_the_job_with_lammps_own_message(tmp_path):
    import yaml

    from conftest import TINY_CONFIG

    config = yaml.safe_load(TINY_CONFIG.read_text())
    config["timestep"] = 80.0  # fs: atoms fly out of their cells in the first steps
    bad = tmp_path / "exploding.yaml"
    bad.write_text(yaml.safe_dump(config))
    work = tmp_path / "work"
    work.mkdir()
    result = run_snakemake(work, "--until", "melt", configfile=bad, timeout=300)
    assert result.returncode != 0
    assert "LammpsError" in result.stderr and "ERROR: " in result.stderr
    assert not list(work.glob("results/glass/sample*/melt/liquid.data"))
