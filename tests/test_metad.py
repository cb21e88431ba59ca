"""Metadynamics with Colvars: clusters across the periodic boundary, the stitched Colvars
files, real well-tempered runs on a small Cu-Zr glass, resume after a kill, config checks."""

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import yaml

from analysis.barriers import BOLTZMANN
from analysis.box import box_matrix
from analysis.metad import well_tempered_free_energy
from mgrelax.config import ConfigError, model_of, validate_config
from mgrelax.glass.jobs import melt_job, quench_job
from mgrelax.jobs import CHECKPOINT_FILES, run_job
from mgrelax.lammps_io import Configuration, read_data_file
from mgrelax.launch import LaunchSettings
from mgrelax.metad import colvars
from mgrelax.metad.jobs import (free_energy_profile, metad_job, metad_step, run_metadynamics,
                           select_cluster, write_colvars_config)
from mgrelax.metad.summary import activation_record, read_records, spectra_table
from mgrelax.step import StepContext

from conftest import TINY_CONFIG, kill_once_written

REPO = Path(__file__).resolve().parent.parent
TINY = yaml.safe_load(TINY_CONFIG.read_text())
TEMPERATURE = 600.0


def tiny_config(**metad) -> dict:
    settings = {"temperatures": [TEMPERATURE], "samples": 2, "hill_weight": 0.05,
                "hill_interval": 50, "bias_temperature": 8000.0, "check_interval": 1.0,
                "max_duration": 3.0, **metad}
    return validate_config({**TINY, "metad": settings})


def test_cluster_is_whole_across_the_periodic_boundary():
    rng = np.random.default_rng(3)
    h = box_matrix((10.0, 11.0, 12.0), (1.5, 0.0, -0.8))
    positions = rng.random((300, 3)) @ h.T
    positions[0] = h @ np.array([0.99, 0.02, 0.5])  # the centre sits at a corner
    glass = Configuration(ids=np.arange(1, 301), types=np.ones(300, int), positions=positions,
                          box=h, origin=np.zeros(3))
    cluster = select_cluster(glass, 1, 3.0)
    # every periodic image within the cutoff, found by brute force over 27 shifts
    shifts = np.array([(i, j, k) for i in (-1, 0, 1) for j in (-1, 0, 1) for k in (-1, 0, 1)])
    images = positions[:, None, :] + (shifts @ h.T)[None, :, :]
    distances = np.linalg.norm(images - positions[0], axis=2)
    expected = set(np.flatnonzero(distances.min(axis=1) < 3.0) + 1)
    assert {atom.id for atom in cluster} == expected and cluster[0].id == 1
    for atom in cluster:
        reference = np.array(atom.reference)
        assert np.linalg.norm(reference - positions[0]) < 3.0
        unwrapped = positions[atom.id - 1] + h @ np.array(atom.image)
        np.testing.assert_allclose(unwrapped, reference, atol=1e-12)
    assert any(atom.image != (0, 0, 0) for atom in cluster)


def write_attempt(directory, start, suffix, rows):
    lines = ["# step value"] + [" ".join(str(v) for v in row) for row in rows]
    (directory / f"{colvars.output_prefix(start)}{suffix}").write_text("\n".join(lines) + "\n")


def test_attempts_are_stitched_at_the_step_each_resumed_from(tmp_path):
    # attempt 0 wrote up to step 1400 before it was killed; attempt 1 resumed at 1000
    write_attempt(tmp_path, 0, colvars.HILLS_SUFFIX, [(s, 0.1, 0.2, 1.0) for s in range(200, 1401, 200)])
    write_attempt(tmp_path, 1000, colvars.HILLS_SUFFIX, [(s, 0.3, 0.2, 2.0) for s in range(1200, 2001, 200)])
    write_attempt(tmp_path, 0, colvars.TRAJECTORY_SUFFIX, [(s, 0.1) for s in range(0, 1401, 100)])
    write_attempt(tmp_path, 1000, colvars.TRAJECTORY_SUFFIX, [(s, 0.3) for s in range(1000, 2001, 100)])
    (tmp_path / "colvars.step0.colvars.traj.BAK").write_text("# stale\n5 9.9\n")
    hills = colvars.hills(tmp_path, 2000)
    assert list(hills["step"]) == list(range(200, 2001, 200))
    assert list(hills["height"]) == [1.0] * 5 + [2.0] * 5
    trajectory = colvars.trajectory(tmp_path, 1600)
    assert list(trajectory["step"]) == list(range(0, 1601, 100))
    assert (trajectory.set_index("step").loc[1100:, "rmsd"] == 0.3).all()


@pytest.fixture(scope="module")
def tiny_glass(tmp_path_factory):
    """A 250-atom Cu50Zr50 glass quenched at 1e14 K/s to 600 K."""
    folder = tmp_path_factory.mktemp("metad_glass")
    config = validate_config({**TINY, "quench": {"temperature_end": TEMPERATURE,
                                                 "cooling_rate": 1.0e+14}})
    model = model_of(config)
    run_job(melt_job(config, model, 0, folder / "melt"), LaunchSettings())
    run_job(quench_job(config, model, folder / "quench", folder / "melt" / "liquid.data"),
            LaunchSettings())
    return folder / "quench" / "quenched.data"


def boundary_cluster(glass_path, cutoff=4.0):
    """The cluster around the Cu atom nearest a box face (it wraps around the boundary)."""
    glass = read_data_file(glass_path)
    fractions = (glass.positions - glass.origin) @ np.linalg.inv(glass.box).T
    nearest_face = np.minimum(fractions, 1 - fractions).min(axis=1)
    nearest_face[glass.types != 1] = np.inf
    return select_cluster(glass, int(glass.ids[np.argmin(nearest_face)]), cutoff)


def run_tiny(tiny_glass, directory, **metad):
    config = tiny_config(**metad)
    model = model_of(config)
    cluster = boundary_cluster(tiny_glass)
    assert any(atom.image != (0, 0, 0) for atom in cluster)
    job = metad_job(config, model, TEMPERATURE, cluster, directory, tiny_glass, 12345)
    write_colvars_config(job)
    return job, *run_metadynamics(job, LaunchSettings())


def test_well_tempered_run_through_colvars(tiny_glass, tmp_path):
    job, last_step, barrier_step, barrier = run_tiny(tiny_glass, tmp_path)
    assert barrier.status in ("crossed", "no_saddle", "no_minimum")
    assert last_step == 1500 or (barrier.found and last_step % 500 == 0)
    assert barrier_step <= last_step
    trajectory = colvars.trajectory(tmp_path, last_step)
    # images made consistent: the cluster starts whole, at RMSD 0, and stays near it
    assert trajectory["rmsd"].iloc[0] < 1e-5 and trajectory["rmsd"].max() < 2.0
    hills = colvars.hills(tmp_path, last_step)
    assert list(hills["step"]) == list(range(50, last_step + 1, 50))
    assert np.allclose(hills["sigma"], 0.175) and hills["height"].iloc[0] == pytest.approx(0.05)
    # well-tempered heights: w_i = w0 exp(-V(s_i) / k_B dT), V from the earlier hills
    bias_factor = (TEMPERATURE + 8000.0) / 8000.0
    for i in range(1, len(hills)):
        earlier = hills.iloc[:i]
        # F is shifted to zero at its minimum, the hill centre; far away V = 0
        bias = well_tempered_free_energy([hills["centre"].iloc[i], 100.0], earlier["centre"],
                                         earlier["sigma"], earlier["height"], TEMPERATURE,
                                         8000.0)[1] / bias_factor
        expected = 0.05 * np.exp(-bias / (BOLTZMANN * 8000.0))
        assert hills["height"].iloc[i] == pytest.approx(expected, rel=1e-2)  # V from Colvars's grid
    assert hills["height"].iloc[-1] < 0.8 * hills["height"].iloc[0]
    # the profile rebuilt from the hills is Colvars's own, with the (T + dT)/dT factor
    grid, free_energy = free_energy_profile(job, last_step)
    pmf = np.loadtxt(colvars.free_energy_file(tmp_path))
    colvars_f = np.interp(grid, pmf[:, 0], pmf[:, 1])
    np.testing.assert_allclose(free_energy, colvars_f - colvars_f.min(), atol=1e-4)
    assert not list(tmp_path.glob("checkpoint*"))


RESUMABLE_RUN = """
import sys
sys.path.insert(0, {tests!r})
from pathlib import Path
from test_metad import run_tiny
run_tiny(Path({glass!r}), Path({directory!r}), max_duration=4.0)
"""


def test_a_killed_run_resumes_without_losing_hills(tiny_glass, tmp_path):
    code = RESUMABLE_RUN.format(tests=str(Path(__file__).parent), glass=str(tiny_glass),
                                directory=str(tmp_path))
    kill_once_written(code, tmp_path, CHECKPOINT_FILES[:1])
    job, last_step, _, _ = run_tiny(tiny_glass, tmp_path, max_duration=4.0)
    assert list(tmp_path.glob("log.lammps.*"))  # the killed attempt's log was kept
    hills = colvars.hills(tmp_path, last_step)
    assert list(hills["step"]) == list(range(50, last_step + 1, 50))
    grid, free_energy = free_energy_profile(job, last_step)
    pmf = np.loadtxt(colvars.free_energy_file(tmp_path))
    colvars_f = np.interp(grid, pmf[:, 0], pmf[:, 1])
    np.testing.assert_allclose(free_energy, colvars_f - colvars_f.min(), atol=1e-4)
    trajectory = colvars.trajectory(tmp_path, last_step)
    assert trajectory["step"].is_unique and trajectory["step"].diff().dropna().eq(50).all()


@pytest.mark.parametrize("metad, message", [
    ({"temperatures": [450]}, r"metad.temperatures = \[450\]: not among the campaign"),
    ({"hill_weight": [0.01, 0.02]}, r"metad.hill_weight = \[0.01, 0.02\]: give one value, or one per"),
    ({"hill_width": -0.35}, r"metad.hill_width = -0.35: .* less than or equal to the minimum"),
    ({"bias_temperature": "2700; run 0"}, r"metad.bias_temperature = '2700; run 0'"),
    ({"cutoff": "second_peak"}, r"metad.cutoff = 'second_peak'"),
    ({"fit": "centre"}, r"metad.fit = 'centre': 'centre' is not one of \['rotation', 'none'\]"),
    ({"centre_species": "Al"}, r"metad.centre_species = 'Al': not one of Cu, Zr"),
    ({"size_convergence": {"cutoffs": [4.0, 5.0]}}, r"metad.size_convergence.temperature = None"),
    ({"check_interval": 0.01}, r"metad.check_interval = 0.01: must span at least one hill"),
])
def test_wrong_metadynamics_settings_fail_in_one_line(metad, message):
    with pytest.raises(ConfigError, match=message) as error:
        tiny_config(**metad)
    assert "\n" not in str(error.value)


def test_metadynamics_needs_a_metal_units_model():
    config = yaml.safe_load((REPO / "config" / "kob_andersen.yaml").read_text())
    config["metad"] = {"temperatures": [config["temperatures"][0]], "centre_species": "A"}
    with pytest.raises(ConfigError, match="metadynamics needs a metal-units model"):
        validate_config(config)


def test_spectra_and_activation_fit_of_real_runs_at_three_temperatures(tiny_glass, tmp_path):
    """Two runs at each of 300, 450 and 600 K on the tiny glass (hills of 0.2 eV, 3 ps),
    through the workflow's own step and summary functions. Crossed runs' mean barriers
    and the line Delta F(T) = Delta Q - T Delta S are recomputed from the run records by
    a second route (pandas, numpy.polyfit); each no_saddle run's censoring level, which
    the summary takes from the profile file, must equal the filled depth the run itself
    reported when it stopped. (At this size most runs end no_saddle: the README says so.)"""
    metad = {**tiny_config()["metad"], "temperatures": [300.0, 450.0, 600.0], "hill_weight": 0.2,
             "size_convergence": {}}
    config = validate_config({**TINY, "temperatures": [300.0, 450.0, 600.0], "metad": metad})
    context = StepContext(config, model_of(config), LaunchSettings())
    structure = tmp_path / "structure.json"
    structure.write_text("{}")  # a numeric cutoff needs no g(r) peaks
    records = []
    for temperature in (300.0, 450.0, 600.0):
        for run in (0, 1):
            folder = tmp_path / f"T{temperature:g}" / f"run{run}"
            folder.mkdir(parents=True)
            output = SimpleNamespace(**{name: folder / file for name, file in (
                ("record", "run.json"), ("trajectory", "trajectory.csv"),
                ("hills", "hills.csv"), ("profile", "free_energy.csv"))})
            metad_step(context, {"temperature": temperature, "cutoff": "4.0", "run": run,
                                 "sample": 0}, tiny_glass, structure, output)
            records.append(output.record)
    runs = read_records(records)
    assert len(runs) == 6 and set(runs["status"]) <= {"crossed", "no_saddle"}
    for _, run in runs[runs["status"] == "no_saddle"].iterrows():
        reported = float(re.search(r"F rises by ([0-9.]+) eV", run["message"]).group(1))
        assert run["censored_at"] == pytest.approx(reported, abs=5e-4)
    spectra = spectra_table(runs, 1e13, n_resamples=200).set_index("temperature")
    crossed = runs[runs["status"] == "crossed"].groupby("temperature")["barrier"]
    assert (spectra["n_crossed"] + spectra["n_censored"] == 2).all()
    assert (spectra["n_crossed"] == crossed.size().reindex(spectra.index, fill_value=0)).all()
    np.testing.assert_allclose(spectra["barrier_mean"].dropna(), crossed.mean())
    fit = activation_record(spectra.reset_index(), 1e13)["reductions"]["mean"]
    sem = crossed.sem().dropna()
    if len(sem) >= 3:
        (slope, intercept), covariance = np.polyfit(sem.index, crossed.mean()[sem.index], 1,
                                                    w=1 / sem, cov="unscaled")
        assert fit["activation_energy"] == pytest.approx(intercept, rel=1e-6)
        assert fit["activation_entropy"] == pytest.approx(-slope / BOLTZMANN, rel=1e-6)
        assert fit["activation_energy_error"] == pytest.approx(np.sqrt(covariance[1, 1]))
    else:
        assert fit["error"].startswith(f"{len(sem)} temperature(s) with a mean barrier")
