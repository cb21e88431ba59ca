"""mgrelax.reproducibility on real files of the tiny campaign: what it sets aside (run
records only) and what it reports as different (any result)."""

import json
import re
import shutil
import subprocess
import sys

import h5py
import pytest

from mgrelax.reproducibility import compare_runs

FIT = "results/dms/sample0/T300/shear/tw1_a0.012/fit.json"
EVENTS = "results/art/sample0/batch0/events.h5"
PDF = "results/glass/figures/glass_transition.pdf"
PNG = "results/glass/figures/glass_transition.png"
VALIDATION = "results/validation.csv"
LOG = "results/glass/sample0/quench/log.lammps"


@pytest.fixture
def two_runs(tiny_campaign, tmp_path):
    """Two copies of some of the campaign's files: ``first`` and ``second``."""
    runs = tmp_path / "first", tmp_path / "second"
    for run in runs:
        for name in (FIT, EVENTS, PDF, PNG, VALIDATION, LOG):
            (run / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(tiny_campaign / name, run / name)
    return runs


def edit_json(path, change):
    record = json.loads(path.read_text())
    change(record)
    path.write_text(json.dumps(record, indent=2))


def test_copies_are_identical(two_runs):
    comparison = compare_runs(*two_runs)
    assert comparison.same
    assert sorted(comparison.identical) == sorted([FIT, EVENTS, PDF, PNG, VALIDATION])
    assert list(comparison.skipped) == [LOG]


def test_run_records_are_set_aside(two_runs):
    first, second = two_runs
    edit_json(second / FIT, lambda r: r["provenance"].update(created="2030-01-01T00:00:00+00:00",
                                                            host="elsewhere"))
    with h5py.File(second / EVENTS, "r+") as events:
        provenance = json.loads(events.attrs["provenance"])
        events.attrs["provenance"] = json.dumps({**provenance, "wall_time_s": 1e6})
    pdf = (second / PDF).read_bytes()
    later = re.sub(rb"/CreationDate \(D:\d{14}", b"/CreationDate (D:20300101000000", pdf)
    (second / PDF).write_bytes(later)
    assert (second / PDF).read_bytes() != pdf
    (second / LOG).write_text("another log")
    comparison = compare_runs(first, second)
    assert comparison.same
    assert comparison.set_aside == {FIT: "JSON run-record keys",
                                    EVENTS: "HDF5 attributes' run-record keys",
                                    PDF: "PDF creation date"}


def test_undefined_numbers_compare_equal(two_runs):
    """NaN (an undefined result) in an HDF5 attribute is the same in both runs."""
    for run in two_runs:
        with h5py.File(run / EVENTS, "r+") as events:
            events.attrs["push_radius"] = float("nan")
    with h5py.File(two_runs[1] / EVENTS, "r+") as events:
        provenance = json.loads(events.attrs["provenance"])
        events.attrs["provenance"] = json.dumps({**provenance, "host": "elsewhere"})
    assert compare_runs(*two_runs).set_aside == {EVENTS: "HDF5 attributes' run-record keys"}


@pytest.mark.parametrize("change", ["modulus", "seed", "dataset", "settings", "pdf", "png", "csv"])
def test_a_changed_result_is_different(two_runs, change):
    first, second = two_runs
    changed = {"modulus": FIT, "seed": FIT, "dataset": EVENTS, "settings": EVENTS, "pdf": PDF,
               "png": PNG, "csv": VALIDATION}[change]
    if change == "modulus":
        edit_json(second / FIT, lambda r: r.update(storage_modulus=r["storage_modulus"]
                                                   * (1 + 1e-15)))
    elif change == "seed":
        edit_json(second / FIT, lambda r: r["provenance"]["seeds"].update(extra=1))
    elif change in ("dataset", "settings"):
        with h5py.File(second / EVENTS, "r+") as events:
            if change == "dataset":
                events["force_calls"][0] = events["force_calls"][0] + 1
            else:
                events.attrs["push_radius"] = events.attrs["push_radius"] + 0.5
    elif change == "csv":
        text = (second / VALIDATION).read_text()
        (second / VALIDATION).write_text(text.replace(",", ";", 1))
    else:
        data = bytearray((second / changed).read_bytes())
        data[len(data) // 2] ^= 1
        (second / changed).write_bytes(bytes(data))
    comparison = compare_runs(first, second)
    assert comparison.different == [changed]
    assert not comparison.same


def test_files_of_one_run_only_and_the_exit_status(two_runs):
    first, second = two_runs
    command = [sys.executable, "-m", "mgrelax.reproducibility", str(first), str(second)]
    same = subprocess.run(command, capture_output=True, text=True)
    assert same.returncode == 0 and "0 different" in same.stdout
    (second / "results/extra.json").write_text("{}")
    (second / FIT).unlink()
    differ = subprocess.run(command, capture_output=True, text=True)
    assert differ.returncode == 1
    assert f"only in the first run: {FIT}" in differ.stdout
    assert "only in the second run: results/extra.json" in differ.stdout
