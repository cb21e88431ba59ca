"""Real MD-DMS runs of a small Kob-Andersen system (reduced units)."""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import yaml

import pandas as pd

from analysis.dms import fit_oscillation
from mgrelax.config import model_of, validate_config
from mgrelax.dms.displacement import displacement_record
from mgrelax.dms.jobs import dms_job, read_dms_series
from mgrelax.dms.summary import loss_spectrum_fits
from mgrelax.glass.jobs import melt_job, quench_job
from mgrelax.jobs import CHECKPOINT_FILES, run_job
from mgrelax.lammps_io import read_data_file
from mgrelax.launch import LaunchSettings

from conftest import kill_once_written

REPO = Path(__file__).resolve().parent.parent
PERIOD, AMPLITUDE = 10.0, 0.02  # tau, strain


def ka_config(**changes) -> dict:
    config = yaml.safe_load((REPO / "config" / "kob_andersen.yaml").read_text())
    config.update(n_atoms=300, melt={"temperature": 1.0, "duration": 20.0,
                                     "overlap_distance": 0.75},
                  quench={"temperature_end": 0.2, "cooling_rate": 0.02}, **changes)
    return validate_config(config)


@pytest.fixture(scope="module")
def ka_states(tmp_path_factory):
    """A Kob-Andersen liquid at T* = 1.0 and a glass quenched to T* = 0.2."""
    folder = tmp_path_factory.mktemp("ka")
    config = ka_config()
    model = model_of(config)
    run_job(melt_job(config, model, 0, folder / "melt"), LaunchSettings())
    run_job(quench_job(config, model, folder / "quench", folder / "melt" / "liquid.data"),
            LaunchSettings())
    return config, model, {"liquid": (1.0, folder / "melt" / "liquid.data"),
                           "glass": (0.2, folder / "quench" / "quenched.data")}


def run_dms(ka_states, state, mode, directory, cycles=5, period=PERIOD, amplitude=AMPLITUDE):
    config, model, states = ka_states
    temperature, data = states[state]
    job = dms_job(config, model, temperature, period, amplitude, mode, cycles, directory, data)
    run_job(job, LaunchSettings())
    series = read_dms_series(directory / "series.dat")
    return series, fit_oscillation(series.time, series.strain, series.stress, period)


def test_liquid_is_viscous_and_glass_is_elastic(ka_states, tmp_path):
    _, liquid = run_dms(ka_states, "liquid", "shear", tmp_path / "liquid")
    _, glass = run_dms(ka_states, "glass", "shear", tmp_path / "glass")
    assert liquid.phase > 1.2  # Newtonian liquid: pi / 2
    assert glass.phase < 0.4 and glass.storage_modulus > 5.0  # KA glass G' ~ 15
    for fit in (liquid, glass):
        assert fit.strain_amplitude == pytest.approx(AMPLITUDE, rel=1e-3)
        assert fit.loop_loss_modulus == pytest.approx(fit.loss_modulus, abs=3 * fit.loss_modulus_error)


def test_loss_spectrum_of_the_liquid_predicts_its_storage_spectrum(ka_states, tmp_path):
    """Six periods across the liquid's loss peak (0.25-8 tau, 20 cycles, 5 % strain):
    the KWW fit of G''(t_w) alone predicts G'(t_w) through Kramers-Kronig; the measured
    G' must follow it with a relaxed modulus of zero (a liquid flows) and a chi-square
    that the stated errors allow."""
    rows = []
    for period in (0.25, 0.5, 1.0, 2.0, 4.0, 8.0):
        fit = run_dms(ka_states, "liquid", "shear", tmp_path / f"tw{period}", cycles=20,
                      period=period, amplitude=0.05)[1]
        rows.append({"mode": "shear", "temperature": 1.0, "period": period,
                     **{name: getattr(fit, name) for name in (
                         "storage_modulus", "storage_modulus_error", "loss_modulus",
                         "loss_modulus_error")}})
    spectrum = loss_spectrum_fits(pd.DataFrame(rows)).iloc[0]
    assert "error" not in spectrum or pd.isna(spectrum["error"]), spectrum.get("error")
    assert spectrum["tau_error"] < 0.5 * spectrum["tau"] and 0.3 < spectrum["beta"] <= 1.0
    assert abs(spectrum["relaxed_modulus"]) < 3 * spectrum["relaxed_modulus_error"]
    assert spectrum["relaxed_modulus_error"] < 0.05 * spectrum["strength"]
    assert spectrum["p_value"] > 1e-3 and spectrum["degrees_of_freedom"] == 5


def test_dynamic_correspondence_longitudinal_equals_bulk_plus_four_thirds_shear(ka_states,
                                                                                tmp_path):
    moduli = {mode: run_dms(ka_states, "glass", mode, tmp_path / mode)[1]
              for mode in ("shear", "uniaxial", "isostatic")}
    longitudinal = moduli["uniaxial"].storage_modulus
    predicted = moduli["isostatic"].storage_modulus + 4 / 3 * moduli["shear"].storage_modulus
    assert longitudinal == pytest.approx(predicted, rel=0.1)


def test_displacement_record_of_relabelled_glass_is_certified_and_converged(ka_states):
    # The quenched glass, ten pairs of like atoms swapped, every atom moved by noise of
    # sd 0.02 sigma per axis, all translated: IS D_min is the RMS of the noise about its mean.
    _, model, states = ka_states
    glass = read_data_file(states["glass"][1])
    rng = np.random.default_rng(0)
    order = np.arange(glass.n_atoms)
    majority = rng.permutation(np.flatnonzero(glass.types == 1))[:20]
    order[majority[:10]], order[majority[10:]] = majority[10:], majority[:10]
    noise = rng.normal(0.0, 0.02, glass.positions.shape)
    moved = dataclasses.replace(glass, positions=glass.positions[order] + noise + [0.3, -0.2, 0.1])
    record, _, _ = displacement_record(glass, moved, cutoff=1.4, model=model)
    expected = np.sqrt(np.mean(np.sum((noise - noise.mean(axis=0)) ** 2, axis=1)))
    assert record["is_dmin"] == pytest.approx(expected, rel=1e-9)
    assert record["n_relabelled"] == 20
    assert record["is_dmin_converged"] is True
    assert 1 < record["is_dmin_iterations"] <= record["is_dmin_max_iterations"]
    # the dual bound proves no relabelling better by more than the solver's tolerance
    assert record["is_dmin"] * (1 - 1e-7) < record["is_dmin_lower_bound"] <= record["is_dmin"]
    assert json.loads(json.dumps(record)) == record


RESUMABLE_RUN = """
import sys
sys.path.insert(0, {tests!r})
from pathlib import Path
from test_dms import ka_config, PERIOD, AMPLITUDE
from mgrelax.config import model_of
from mgrelax.dms.jobs import dms_job
from mgrelax.jobs import run_job
from mgrelax.launch import LaunchSettings

from conftest import kill_once_written
config = ka_config(checkpoint_interval={checkpoint}, thermostat_damping={damping})
run_job(dms_job(config, model_of(config), 0.2, PERIOD, AMPLITUDE, "shear", 6, Path({directory!r}),
                Path({data!r})), LaunchSettings())
"""


def test_a_resumed_run_stays_in_phase_and_records_each_step_once(ka_states, tmp_path):
    _, _, states = ka_states
    runs = {name: dms_run_code(tmp_path / name, states["glass"][1])
            for name in ("resumed", "uninterrupted")}
    kill_once_written(runs["resumed"], tmp_path / "resumed", CHECKPOINT_FILES)
    for code in runs.values():
        exec(compile(code, "dms-run", "exec"), {})
    provenance = (tmp_path / "resumed" / "provenance.json").read_text()
    assert "resumed from checkpoint" in provenance
    rows = {name: np.loadtxt(tmp_path / name / "series.dat", comments="#") for name in runs}
    np.testing.assert_array_equal(rows["resumed"][:, 0], rows["uninterrupted"][:, 0])
    series = read_dms_series(tmp_path / "resumed" / "series.dat")
    assert series["time"].iloc[-1] == pytest.approx(6 * PERIOD)
    imposed = AMPLITUDE * np.sin(2 * np.pi * series["time"] / PERIOD)
    np.testing.assert_allclose(series["strain"], imposed, atol=1e-6)


def dms_run_code(directory, glass, damping=1.0):
    """Code of a process that runs the glass's 6-cycle DMS job (checkpoint every period)."""
    return RESUMABLE_RUN.format(tests=str(Path(__file__).parent), checkpoint=PERIOD,
                                damping=damping, directory=str(directory), data=str(glass))


def test_a_checkpoint_of_another_thermostat_or_glass_is_not_resumed(ka_states, tmp_path):
    """Killed after its first checkpoint, then run with another thermostat damping; killed
    again, then run on a changed input glass: both start fresh and say why."""
    _, _, states = ka_states
    glass = tmp_path / "glass.data"
    glass.write_bytes(states["glass"][1].read_bytes())
    directory = tmp_path / "dms"
    run = {damping: dms_run_code(directory, glass, damping) for damping in (1.0, 10.0)}
    starts = []
    for change in ("thermostat", "glass"):
        kill_once_written(run[1.0] if change == "thermostat" else run[10.0], directory,
                          CHECKPOINT_FILES)
        if change == "glass":
            glass.write_bytes(states["liquid"][1].read_bytes())  # the equilibration changed
        exec(compile(run[10.0], "dms-run", "exec"), {})
        starts.append(json.loads((directory / "provenance.json").read_text())["start"])
        assert f"# {starts[-1]}" in (directory / "log.lammps").read_text()

    assert starts == [  # another glass also has another reference box in the script
        "fresh start (checkpoint of another run discarded: the input script changed)",
        "fresh start (checkpoint of another run discarded: the input script, "
        "input file ../glass.data changed)"]
