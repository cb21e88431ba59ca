"""Typed template values: numbers stay numbers, nothing can smuggle a LAMMPS command."""

import math

import pytest

from mgrelax.config import validate_config
from mgrelax.glass.jobs import anneal_job, equilibrate_job, inherent_structure_job, melt_job, \
    quench_job
from mgrelax.metad.jobs import ClusterAtom, metad_job
from mgrelax.potentials import load_catalogue
from mgrelax.scattering.jobs import scattering_job
from mgrelax.templates import TemplateValueError, lammps_token, render, template_names


@pytest.mark.parametrize("value, text", [(3, "3"), (2.5, "2.5"), (1e-6, "1e-06"),
                                         (True, "yes"), ("Cu", "Cu"),
                                         ("../melt/liquid.data", "../melt/liquid.data")])
def test_plain_values_are_written_as_tokens(value, text):
    assert lammps_token(value) == text


@pytest.mark.parametrize("value", ["Cu Zr", "1\nshell rm -rf /", "shell;ls", "${x}", "$(v_a)",
                                   "a#comment", "x & y", "'quoted'", math.nan, math.inf,
                                   None, [1, 2], b"Cu"])
def test_unsafe_values_are_refused(value):
    with pytest.raises(TemplateValueError):
        lammps_token(value)


def test_missing_template_value_is_an_error():
    with pytest.raises(TemplateValueError, match="undefined"):
        render("probe_restart.lammps", {"units": "metal"})


def test_a_command_in_a_value_never_reaches_the_input():
    with pytest.raises(TemplateValueError):
        render("probe_restart.lammps", {"units": "metal", "timestep": 0.002,
                                        "checkpoint": "x.restart\nshell touch pwned",
                                        "outputs": {"step": "step.txt"}})


def test_every_job_template_renders_with_the_tiny_config(tiny_config, tmp_path):
    config = validate_config(tiny_config)
    model = load_catalogue()[config["model"]]
    data = tmp_path / "in.data"
    jobs = [melt_job(config, model, 0, tmp_path / "melt"),
            quench_job(config, model, tmp_path / "quench", data),
            anneal_job(config, model, tmp_path / "anneal", data),
            equilibrate_job(config, model, 300.0, tmp_path / "eq", data),
            inherent_structure_job(config, model, tmp_path / "is", data),
            scattering_job(config, model, 300.0, tmp_path / "fs", data),
            metad_job(config, model, 600.0, [ClusterAtom(3, 1, (0, 0, 0), (1.0, 2.0, 3.0)),
                                             ClusterAtom(8, 2, (0, -1, 0), (2.5, -0.4, 3.1))],
                      tmp_path / "metad", data, 7)]
    # dms.lammps needs a real glass (its box): rendered and run in test_dms; the NEB and
    # the ART energy surface are rendered and run in test_neb and test_art_lammps
    assert {job.template for job in jobs} == set(template_names()) - {
        "probe_restart.lammps", "dms.lammps", "neb.lammps", "energy_surface.lammps"}
    for job in jobs:
        text = render(job.template, {**job.values, "resume_step": 0, "checkpoint": None,
                                     "checkpoint_every": 100, "series_file": "series.dat",
                                     "checkpoint_files": ("a.restart", "b.restart"),
                                     "outputs": job.outputs})
        assert "pair_coeff      * * CuZr_mm.eam.fs Cu Zr" in text
        assert "{{" not in text and "{%" not in text
    colvars = render("metad.colvars", {**jobs[-1].values, "checkpoint_every": 100})
    assert "atomNumbers { 3 8 }" in colvars and "refPositions { (1.0,2.0,3.0) (2.5,-0.4,3.1) }" in colvars
    assert "gaussianSigmas       0.175" in colvars and "biasTemperature      8000.0" in colvars


def test_quench_schedule_matches_the_cooling_rate(tiny_config, tmp_path):
    config = validate_config(tiny_config)
    model = load_catalogue()[config["model"]]
    job = quench_job(config, model, tmp_path, tmp_path / "liquid.data")
    (segment,) = job.values["segments"]
    # 2000 K -> 300 K at 1e14 K/s = 17 ps = 8500 steps of 2 fs
    assert segment["end_step"] == 8500
    assert (segment["t_start"], segment["t_stop"]) == (2000.0, 300.0)
