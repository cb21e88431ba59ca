"""The ART stage on real LAMMPS: a batch of searches on a tiny glass (one row per search,
resumed after a kill without redoing a search, a search that raises kept), and the NEB
check of an ART event (a vacancy hop in fcc Cu)."""

import dataclasses
import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import TINY_CONFIG
from mgrelax.art import jobs as art_jobs
from mgrelax.art.engine import (FAILURES, LEVEL_STATUSES, LEVELS, SADDLE, ArtSettings, Event,
                         find_saddle, random_push_direction)
from mgrelax.art.jobs import (ARRAY_FIELDS, COLUMN_UNITS, ERROR, BatchTable, EventTable,
                                  column_unit, event_row, read_events, run_batch, write_events)
from mgrelax.art.search import check_radii
from mgrelax.plan import Search, batches
from analysis.box import box_matrix
from mgrelax.art.lammps_surface import open_surface
from mgrelax.art.neb_check import disagreement_reason, write_neb_check
from mgrelax.config import ConfigError, model_of, validate_config
from mgrelax.glass.jobs import inherent_structure_job, melt_job
from mgrelax.jobs import PARTIAL, run_job
from mgrelax.lammps_io import read_data_file, read_hdf5
from mgrelax.launch import LaunchSettings
from mgrelax.metad.jobs import run_centre
from test_neb import CU, build_hop, minimum_image

SEARCHES = 3


class Killed(BaseException):
    """Stands for SIGKILL: nothing in the batch catches it."""


def art_config(**art) -> dict:
    """The tiny config with one batch of SEARCHES searches on each sample's cluster."""
    config = yaml.safe_load(TINY_CONFIG.read_text())
    config["art"] = {**config["art"], "searches_per_centre": SEARCHES, "batch_size": SEARCHES,
                     "engine": {"max_activation_steps": 40}, **art}
    return validate_config(config)


@pytest.fixture(scope="module")
def tiny_inherent(tmp_path_factory):
    """A 250-atom Cu50Zr50 glass: the inherent structure of a 1 ps melt (an infinitely
    fast quench)."""
    folder = tmp_path_factory.mktemp("art_glass")
    config = art_config()
    config["melt"]["duration"] = 1.0
    model = model_of(config)
    run_job(melt_job(config, model, 0, folder / "melt"), LaunchSettings())
    run_job(inherent_structure_job(config, model, folder / "inherent",
                                   folder / "melt" / "liquid.data"), LaunchSettings())
    return folder / "inherent" / "inherent.data"


def counting_searches(monkeypatch, fail_at=None, error=Killed):
    """Record the seed of every search the batch starts; raise ``error`` at call
    number ``fail_at`` (from 1)."""
    seeds = []

    def search(*args, **kwargs):
        seeds.append(args[-1])
        if len(seeds) == fail_at:
            raise error("LAMMPS: lost atoms")
        return real_search(*args, **kwargs)

    real_search = art_jobs.search_cluster
    monkeypatch.setattr(art_jobs, "search_cluster", search)
    return seeds


def test_every_column_of_an_event_has_its_unit():
    """A real-valued field added to mgrelax.art.engine.Event must get its unit here."""
    for field in dataclasses.fields(Event):
        if type(field.default) is float:
            assert field.name in COLUMN_UNITS, field.name
    assert column_unit("force_calls") == "1" and column_unit("status") == ""
    assert ARRAY_FIELDS == ("saddle", "final")


def test_a_killed_batch_resumes_without_redoing_a_search(tiny_inherent, tmp_path, monkeypatch):
    config = art_config()
    model = model_of(config)
    output = tmp_path / "batch0" / "events.h5"
    partial = output.with_name(output.name + PARTIAL)
    searches = batches(config["art"], config["samples"], 0)[0]
    assert [s.seed for s in searches] == [2000, 2001, 2002]  # cluster 0: seed + 0 x 3 + k

    seeds = counting_searches(monkeypatch, fail_at=3)
    with pytest.raises(Killed):
        run_batch(config, model, tiny_inherent, output, 0, 0)
    assert not output.exists()
    before, _ = read_events(partial)
    assert list(before.rows["seed"]) == [2000, 2001]

    monkeypatch.undo()
    seeds = counting_searches(monkeypatch)
    run_batch(config, model, tiny_inherent, output, 0, 0)
    assert seeds == [2002] and not partial.exists()
    events, attributes = read_events(output)
    pd.testing.assert_frame_equal(events.rows.iloc[:2], before.rows)
    np.testing.assert_array_equal(events.saddle_displacement[:2], before.saddle_displacement)

    rows = events.rows
    glass = read_data_file(tiny_inherent)
    assert list(rows["seed"]) == [2000, 2001, 2002] and set(rows["sample"]) == {0}
    assert set(rows["centre_id"]) == {run_centre(config, model, glass, 0)}  # metad run 0's
    connected = rows["status"].isin(LEVEL_STATUSES["metabasin"])
    assert set(rows["status"]) <= set(FAILURES) | set(LEVEL_STATUSES["metabasin"])
    assert ((rows["reason"] == "") == connected).all()
    for level, statuses in LEVEL_STATUSES.items():
        assert (rows[level] == rows["status"].isin(statuses)).all()
    assert events.saddle_displacement.shape == (SEARCHES, 250, 3)
    assert events.final_displacement.dtype == np.float32
    assert np.isnan(events.final_displacement[~connected.to_numpy()]).all()
    assert np.abs(events.minima[0] - glass.positions).max() < 0.05
    assert json.loads(attributes["settings"])["max_activation_steps"] == 40
    assert json.loads(attributes["metabasin"])["energy"] == 0.1
    datasets, _ = read_hdf5(output)
    assert datasets["activation_energy"][1] == "eV" and datasets["eigenvalue"][1] == \
        "eV/Angstrom^2" and datasets["saddle_displacement"][1] == "Angstrom"


def test_a_partial_table_of_other_searches_or_settings_is_not_resumed(tmp_path):
    attributes = {"settings": dataclasses.asdict(ArtSettings()), "push_radius": 3.5,
                  "mode_radius": 7.0, "metabasin": {"energy": 0.1}}
    rows = pd.DataFrame({"cluster": [0], "seed": [2000], "status": ["lost_curvature"]})
    nan = np.full((1, 2, 3), np.nan, dtype=np.float32)
    write_events(tmp_path / "partial.h5", EventTable(rows, nan, nan, {0: np.zeros((2, 3))}),
                 attributes)
    searches = [Search(0, 2000), Search(0, 2001)]
    resumed = BatchTable.resumed(tmp_path / "partial.h5", 0, searches, attributes)
    assert [row["seed"] for row in resumed.rows] == [2000] and len(resumed.saddles) == 1
    for other_searches, other_attributes in (
            (searches[1:], attributes),
            (searches, {**attributes, "mode_radius": 6.0}),
            (searches, {**attributes, "metabasin": {"energy": 0.05}}),
            (searches, {**attributes,
                        "settings": dataclasses.asdict(ArtSettings(push_step=0.2))})):
        assert BatchTable.resumed(tmp_path / "partial.h5", 0, other_searches,
                                  other_attributes) is None


def test_a_search_that_raises_is_kept_and_the_batch_goes_on(tiny_inherent, tmp_path,
                                                            monkeypatch):
    config = art_config(searches_per_centre=2, batch_size=2)
    output = tmp_path / "events.h5"
    seeds = counting_searches(monkeypatch, fail_at=1, error=RuntimeError)
    run_batch(config, model_of(config), tiny_inherent, output, 1, 0)
    rows = read_events(output)[0].rows
    assert seeds == [2002, 2003] and list(rows["sample"]) == [1, 1]
    assert rows["status"][0] == ERROR and rows["reason"][0] == "RuntimeError: LAMMPS: lost atoms"
    assert rows["status"][1] in set(FAILURES) | set(LEVEL_STATUSES["metabasin"])  # fresh LAMMPS


def test_neb_check_of_an_art_event_agrees_with_its_barrier(tmp_path):
    """A vacancy hop found by ART (as in test_art_lammps) goes through the art_neb step:
    its NEB converges to the ART barrier within 5 meV."""
    hop = build_hop(tmp_path, CU)
    centre = hop.initial[hop.hopping] + minimum_image(
        hop.final[hop.hopping] - hop.initial[hop.hopping], hop.box_length)
    distances = np.linalg.norm(minimum_image(hop.initial - centre, hop.box_length), axis=1)
    push = random_push_direction(np.random.default_rng(7), hop.initial.shape, distances < 3.0)
    config = art_config(neb={"events": 2, "replicas": 5})
    with open_surface(config, hop.model, tmp_path / "surface", hop.initial_data) as surface:
        event = find_saddle(surface, hop.initial, push, ArtSettings(), region=distances < 7.0)
    assert event.status == SADDLE, event.reason
    row = {**event_row(event, Search(0, 7), hop.hopping + 1, 0, 0), "duplicate_of": -1,
           "unique": True, **{f"unique_{level}": True for level in LEVELS}}
    events = EventTable(pd.DataFrame([row]), (event.saddle - hop.initial)[None].astype(np.float32),
                        (event.final - hop.initial)[None].astype(np.float32), {0: hop.initial})
    write_events(tmp_path / "events.h5", events, {})
    output = SimpleNamespace(table=tmp_path / "neb.csv")
    write_neb_check(tmp_path / "events.h5", {0: hop.initial_data}, output, config, hop.model,
                    LaunchSettings())
    table = pd.read_csv(output.table)
    assert len(table) == 1 and table["neb_converged"][0] and table["agrees"][0]
    assert table["difference"][0] == pytest.approx(
        1000 * (table["neb_barrier"][0] - event.activation_energy))
    assert abs(table["difference"][0]) < 5 and table["difference_unit"][0] == "meV"
    assert (tmp_path / "neb" / "event0" / "neb.json").is_file()



@pytest.mark.parametrize("art, message", [
    ({"spectrum_level": "connected"}, "config error: art.spectrum_level = 'connected': "
                                      "'connected' is not one of ['first_order', 'metabasin', "
                                      "'strict']"),
    ({"metabasin": {"energy": -0.1}}, "config error: art.metabasin.energy = -0.1: -0.1 is "
                                      "less than the minimum of 0"),
])
def test_a_bad_level_setting_is_refused_in_one_line_naming_the_key(art, message):
    with pytest.raises(ConfigError) as refused:
        art_config(**art)
    assert str(refused.value) == message


def test_a_neb_that_differs_from_art_says_why():
    """Both barriers run from the same start to the same final minimum: a converged NEB
    below ART found a lower path; above it, another valley; unconverged, no verdict."""
    assert disagreement_reason(True, -0.613, 0.009, 105).startswith(
        "a lower path between the same minima: the NEB crosses 0.613 eV below the ART saddle")
    assert "0.020 eV above the ART saddle" in disagreement_reason(True, 0.02, 0.009, 105)
    assert disagreement_reason(False, -0.5, 0.4, 2000).startswith("the NEB did not converge")
    assert disagreement_reason(True, 0.004, 0.009, 105) == ""


@pytest.mark.parametrize("tilt, allowed", [(0.0, 6.0), (6.0, 12.0 / np.sqrt(1.25) / 2)])
def test_a_radius_whose_sphere_meets_its_periodic_image_is_refused(tilt, allowed):
    """A 12 A cube allows radii below 6 A; tilted by xy = 6 A, the planes spanned by its
    second and third box vectors, (6, 12, 0) and (0, 0, 12), are 1728 / |(144, -72, 0)| =
    12 / sqrt(1.25) = 10.73 A apart, and radii must stay below half that."""
    box = box_matrix((12.0, 12.0, 12.0), (tilt, 0.0, 0.0))
    check_radii({"art.mode_radius": allowed - 0.01}, box)
    with pytest.raises(ValueError, match=rf"^art.mode_radius = {allowed + 0.01:g} Angstrom: "
                                         rf"reaches half the narrowest box width .*periodic "
                                         rf"image; allowed: below {allowed:.2f}$"):
        check_radii({"art.mode_radius": allowed + 0.01}, box)
