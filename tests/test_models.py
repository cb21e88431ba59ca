"""The catalogue's models run through the same jobs: Kob-Andersen in reduced units."""

from pathlib import Path

import yaml

from analysis.structure import first_peak_and_minimum, pair_distribution
from mgrelax.config import model_of, validate_config
from mgrelax.glass.jobs import check_liquid, melt_job
from mgrelax.jobs import run_job
from mgrelax.lammps_io import read_data_file
from mgrelax.launch import LaunchSettings
from mgrelax.plan import atom_counts

REPO = Path(__file__).resolve().parent.parent


def test_compositions_become_whole_atom_counts_that_sum_to_n(tiny_config):
    config = validate_config({**tiny_config, "n_atoms": 7, "art": {"centres": 0},
                              "composition": {"Cu": 0.64, "Zr": 0.36}})
    assert atom_counts(config, model_of(config)) == {"Cu": 4, "Zr": 3}


def test_kob_andersen_liquid_has_its_pair_contacts(tmp_path):
    config = yaml.safe_load((REPO / "config" / "kob_andersen.yaml").read_text())
    config.update(n_atoms=400, melt={"temperature": 2.0, "duration": 10.0,
                                     "overlap_distance": 0.75})
    config = validate_config(config)
    model = model_of(config)
    run_job(melt_job(config, model, 0, tmp_path), LaunchSettings())
    assert "pair_coeff      1 2 1.5 0.8 2.0" in (tmp_path / "in.lammps").read_text()
    assert check_liquid(config, model, tmp_path)["passed"]
    liquid = read_data_file(tmp_path / "liquid.data")
    rdf = pair_distribution(liquid.positions, liquid.types, liquid.box, r_max=2.5, n_bins=100)
    # first-neighbour distance ~ 2^(1/6) sigma_ab, a little less in the hot dense liquid
    for pair, sigma in (((1, 1), 1.0), ((1, 2), 0.8)):
        peak = first_peak_and_minimum(rdf.r, rdf.g_partial[pair]).r_peak
        assert 0.9 * sigma < peak < 1.2 * sigma, (pair, peak)
