"""The real scattering job: F_s(q1, t) of a small Kob-Andersen liquid (reduced units,
T* = 1.0), its block errors, its KWW fit and the summary table."""

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.structure import pair_distribution
from mgrelax.config import model_of, validate_config
from mgrelax.glass.jobs import hold_frames, melt_job
from mgrelax.jobs import run_job
from mgrelax.lammps_io import read_dump_frame, read_hdf5, write_hdf5, write_json
from mgrelax.launch import LaunchSettings
from mgrelax.scattering.jobs import scattering_job, scattering_record
from mgrelax.scattering.summary import write_scattering_summary

REPO = Path(__file__).resolve().parent.parent
TEMPERATURE = 1.0                       # epsilon / k_B
DURATION, FRAMES = 20.0, 400            # tau: 4000 steps of 0.005 tau, a frame every 0.05 tau


def ka_liquid_config() -> dict:
    """300 Kob-Andersen atoms melted at T* = 1.0 for 20 tau (NPT, P* = 3)."""
    config = yaml.safe_load((REPO / "config" / "kob_andersen.yaml").read_text())
    config.update(n_atoms=300,
                  melt={"temperature": TEMPERATURE, "duration": 20.0, "overlap_distance": 0.75},
                  quench={"temperature_end": 0.2, "cooling_rate": 0.02},
                  intermediate_scattering={"duration": DURATION, "frames": FRAMES})
    return validate_config(config)


def write_structure(frames, path: Path) -> None:
    """Total g(r) of the frames and their number density, as the glass stage stores them."""
    rdf = pair_distribution(np.array([f.positions for f in frames]), frames[0].types,
                            np.array([f.box for f in frames]), r_max=3.0, n_bins=120)
    write_hdf5(path, {"r": (rdf.r, "sigma"), "g/total": (rdf.g_total, "1")},
               {"number_density": rdf.number_density})


@pytest.fixture(scope="module")
def liquid(tmp_path_factory):
    """(config, model, folder, record) of the scattering job of the liquid (~2 s of LAMMPS)."""
    folder = tmp_path_factory.mktemp("scattering")
    config = ka_liquid_config()
    model = model_of(config)
    run_job(melt_job(config, model, 0, folder / "melt"), LaunchSettings())
    job = scattering_job(config, model, TEMPERATURE, folder / "T1", folder / "melt" / "liquid.data")
    run_job(job, LaunchSettings())
    write_structure([read_dump_frame(p) for p in hold_frames(job.directory, 0)[::20]],
                    folder / "structure.h5")
    record = scattering_record(job, folder / "structure.h5", folder / "T1" / "fs.h5", model,
                               config, {"test": True})
    return config, model, folder, record


def test_table_holds_block_errors(liquid):
    _, _, folder, record = liquid
    datasets, attributes = read_hdf5(folder / "T1" / "fs.h5")
    lag, fs, fs_error = (datasets[name][0] for name in ("lag", "fs", "fs_error"))
    assert datasets["lag"][1] == "tau" and lag.size == FRAMES + 1
    assert lag[1] == pytest.approx(DURATION / FRAMES)
    # 401 frames in 5 blocks: lags of at most 401 / 6 frames (3.3 tau) have errors
    np.testing.assert_array_equal(np.isfinite(fs_error), np.arange(lag.size) <= 66)
    assert attributes["fs_error_kind"] == record["fs_error_kind"]
    assert record["fs_error_kind"].startswith("sd over 5 contiguous blocks of time origins")
    blocks = datasets["fs_by_block"][0]
    assert blocks.shape == (5, lag.size)
    with_errors = np.isfinite(fs_error)
    # blocks of equal size but for one origin: their mean is fs
    np.testing.assert_allclose(blocks[:, with_errors].mean(axis=0), fs[with_errors],
                               atol=1e-3)
    assert fs[0] == pytest.approx(1.0) and abs(fs[-1]) < 0.05  # the liquid decorrelates


def test_kww_fit_of_real_fs_agrees_with_its_integral(liquid):
    """The integral of the measured F_s (trapezoid, KWW tail beyond F_s < 0.1) against the
    integral of the fitted A exp[-(t/tau)^beta], A (tau/beta) Gamma(1/beta): their difference
    within twice its jackknife error (the two integrals' own errors are correlated)."""
    _, _, _, record = liquid
    assert "error" not in record, record.get("error")
    assert 6.8 < record["q1"] < 7.6  # Kob-Andersen: S(q) peaks near 7.2 / sigma
    assert record["time_unit"] == "tau" and "jackknife" in record["kww_error_kind"]
    assert record["fit_lag_max"] <= DURATION / 6 and record["n_lags_fitted"] >= 20
    for name in ("amplitude", "tau", "beta", "tau_integral", "fs_integral", "fs_integral_kww"):
        assert 0 < record[name + "_error"] < 0.1 * record[name], name
    assert 0.3 < record["beta"] < 1.0
    assert record["tau_integral"] == pytest.approx(
        record["fs_integral_kww"] / record["amplitude"], rel=1e-9)
    assert record["integral_mismatch"] == pytest.approx(
        record["fs_integral"] - record["fs_integral_kww"], rel=1e-9)
    print({name: record[name] for name in record if name != "provenance"})
    assert 0 < record["integral_mismatch_error"] < 0.05 * record["fs_integral"]
    assert abs(record["integral_mismatch"]) < 2 * record["integral_mismatch_error"]


def test_summary_lists_the_fit_with_its_errors(liquid):
    _, model, folder, record = liquid
    fit_path = folder / "T1" / "fs_fit.json"
    write_json(fit_path, {"sample": 0, "temperature": TEMPERATURE, **record})
    outputs = SimpleNamespace(table=folder / "alpha_relaxation.csv",
                              figure=folder / "figures" / "fs.png",
                              figure_pdf=folder / "figures" / "fs.pdf")
    write_scattering_summary([folder / "T1" / "fs.h5"], [fit_path], outputs, model)
    table = pd.read_csv(outputs.table)
    state, mean = table.iloc[0], table.iloc[1]
    assert state["kww_error_kind"] == record["kww_error_kind"]
    assert mean["sample"] == "mean" and mean["n_samples"] == 1
    assert mean["tau_integral"] == pytest.approx(record["tau_integral"])
    assert mean["tau_integral_error"] == pytest.approx(record["tau_integral_error"])
    assert json.loads(fit_path.read_text())["tau"] == pytest.approx(mean["tau"])
    assert outputs.figure.stat().st_size > 1000
