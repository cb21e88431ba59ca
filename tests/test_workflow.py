"""The real workflow, end to end, on the tiny config (Snakemake + LAMMPS, a minute or so)."""

import json
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import beta

from conftest import REPO, TINY_CONFIG, run_snakemake
from mgrelax.art.engine import FAILURES, LEVEL_STATUSES
from mgrelax.lammps_io import read_data_file, read_hdf5
from mgrelax.potentials import load_catalogue
from mgrelax.reproducibility import compare_runs

FIGURE_RULES = {"glass_summary", "dms_summary", "dms_amplitude_sweep", "dms_loading_figure",
                "dms_cycle_figure", "dms_slice_figure", "scattering_summary", "metad_summary",
                "metad_size_convergence", "metad_run_figure", "art_spectrum_figure",
                "art_neb_figure"}
"""The rules that draw figures (analysis and plotting, no simulation)."""
SIMULATION_RULES = {"melt", "quench", "anneal", "equilibrate", "inherent_structure", "dms",
                    "dms_displacement", "intermediate_scattering", "metad", "art_batch",
                    "art_neb"}
"""The rules that run LAMMPS."""


def planned_jobs(work, config: dict, *targets: str) -> dict[str, int]:
    """{rule: jobs} that a dry run with ``config`` (written beside ``work``) would run."""
    changed = work.parent / f"{work.name}_changed.yaml"
    changed.write_text(yaml.safe_dump(config))
    result = run_snakemake(work, "--dry-run", *targets, configfile=changed)
    assert result.returncode == 0, result.stderr[-3000:]
    table = re.search(r"job\s+count\n-+\s+-+\n(.*?)\ntotal", result.stdout + result.stderr,
                      re.S)
    if table is None:
        return {}
    return {line.split()[0]: int(line.split()[1]) for line in table.group(1).splitlines()}


def test_glass_stage_publishes_its_results(tiny_campaign):
    glass = tiny_campaign / "results" / "glass"
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


def test_tg_of_the_real_quenches_agrees_with_the_hinge_breakpoint(tiny_campaign):
    """The window-crossing Tg against the second estimate of the same kink (the hinge
    breakpoint), wherever both find one, within 3 combined standard errors."""
    compared = 0
    for sample in (0, 1):
        record = json.loads((tiny_campaign / f"results/glass/sample{sample}/glass_transition.json")
                            .read_text())
        for quantity, fit in record["fits"].items():
            hinge = fit["hinge"]
            assert ("tg" in hinge) != ("error" in hinge), quantity
            if "tg" in fit and "tg" in hinge:
                combined = np.hypot(fit["tg_uncertainty"], hinge["tg_error"])
                assert abs(fit["tg"] - hinge["tg"]) < 3 * combined, (sample, quantity)
                compared += 1
    assert compared >= 1


def test_second_run_has_nothing_to_do(tiny_campaign):
    for target in ("all", "figures"):
        result = run_snakemake(tiny_campaign, "--dry-run", target)
        assert result.returncode == 0
        assert "Nothing to be done" in result.stdout + result.stderr, target


def test_a_plotting_option_redraws_the_figures_and_reruns_no_simulation(tiny_campaign):
    config = yaml.safe_load(TINY_CONFIG.read_text())
    config["figures"] = {"dpi": 150}
    jobs = planned_jobs(tiny_campaign, config, "all", "run_figures")
    assert set(jobs) - {"all", "run_figures", "provenance"} <= FIGURE_RULES, jobs
    assert jobs["dms_cycle_figure"] == 8 and jobs["metad_run_figure"] == 5
    assert {"glass_summary", "dms_slice_figure", "art_spectrum_figure", "art_neb_figure"} <= \
        set(jobs)


def test_a_physics_parameter_reruns_exactly_what_depends_on_it(tiny_campaign):
    """A new cooling rate: the quenches and everything made from them, not the melts;
    a new hill height: the metadynamics runs and their summaries, no glass or DMS job."""
    config = yaml.safe_load(TINY_CONFIG.read_text())
    config["quench"]["cooling_rate"] *= 2
    jobs = planned_jobs(tiny_campaign, config, "all")
    assert "melt" not in jobs and jobs["quench"] == 2 and jobs["dms"] == 12, jobs
    config = yaml.safe_load(TINY_CONFIG.read_text())
    config["metad"]["hill_weight"] = 0.04
    jobs = planned_jobs(tiny_campaign, config, "all")
    assert jobs["metad"] == 5 and not set(jobs) & (SIMULATION_RULES - {"metad"}), jobs
    assert {"metad_summary", "metad_size_convergence"} <= set(jobs)


def test_every_figure_has_its_plotted_numbers_beside_it(tiny_campaign):
    figures = sorted((tiny_campaign / "results").rglob("*.png"))
    assert len(figures) >= 19
    for png in figures:
        assert png.with_suffix(".pdf").is_file(), png
        numbers = pd.read_csv(png.with_suffix(".csv"))
        assert list(numbers.columns[:3]) == ["panel", "x_label", "y_label"], png
    spectrum = pd.read_csv(tiny_campaign / "results/art/figures/spectrum.csv")
    summary = json.loads((tiny_campaign / "results/art/summary.json").read_text())
    assert spectrum[spectrum.kind == "bar"].y.sum() == summary["unique"]


def test_a_fresh_run_with_the_same_seeds_gives_identical_results(tiny_campaign, tmp_path):
    """Same config, seeds, machine and rank count: LAMMPS and the ART engine are
    deterministic, so a second run of the whole campaign from scratch gives the same
    results: every file byte-identical but for what records when, where and how fast it
    was made (mgrelax.reproducibility), and the glass, DMS, metadynamics and ART results
    byte for byte."""
    result = run_snakemake(tmp_path, "all", "run_figures", "validation")
    assert result.returncode == 0, result.stderr[-3000:]
    comparison = compare_runs(tiny_campaign / "results", tmp_path / "results")
    assert comparison.same, comparison.summary()
    assert set(comparison.set_aside.values()) <= {
        "JSON run-record keys", "HDF5 attributes' run-record keys", "PDF creation date",
        "provenance.csv columns created, wall_time_s, host, workflow_version",
        "cost_model.csv columns core_hours, low, high", "validation.csv columns paper_scale_cost"}
    byte_identical = [f"glass/sample0/{name}" for name in (
        "melt/liquid.data", "quench/quenched.data", "quench/series.dat",
        "anneal/annealed.data", "T300/equilibrate/glass.data", "T300/inherent/inherent.data",
        "glass_transition.json")]
    byte_identical += [f"dms/sample0/T300/shear/tw1_a0.012/{name}" for name in (
        "series.dat", "d2min.dump", "is_displacement.dump", "inherent_one_period/inherent.data")]
    byte_identical += [f"metad/T300/r4/run0/{name}" for name in (
        "trajectory.csv", "hills.csv", "free_energy.csv")]
    byte_identical += ["art/events.csv", "dms/spectra.csv", "metad/spectra.csv"]
    assert set(byte_identical) <= set(comparison.identical)
    assert len(comparison.identical) + len(comparison.set_aside) > 500


def test_html_report_holds_the_captioned_figures(tiny_campaign):
    result = run_snakemake(tiny_campaign, "--report", "report.html")
    assert result.returncode == 0, result.stderr[-3000:]
    html = (tiny_campaign / "report.html").read_text(errors="replace")
    for figure in ("glass_transition.png", "spectra.png", "arrhenius.png", "spectrum.png",
                   "provenance.html"):
        assert figure in html, figure


def test_provenance_table_lists_every_lammps_run(tiny_campaign):
    table = pd.read_csv(tiny_campaign / "results/provenance.csv")
    assert f"{len(table)} LAMMPS runs in" in (tiny_campaign / "logs/provenance.log").read_text()
    runs = {str(path.parent.relative_to(tiny_campaign / "results"))
            for path in (tiny_campaign / "results").rglob("provenance.json")}
    assert set(table.run) == runs and len(runs) > 30
    assert set(table.lammps_version) == {20250722} and set(table.mpi_ranks) == {1}
    assert table.slurm_job_id.isna().all() and (table.wall_time_s > 0).all()


def test_provenance_names_lammps_potential_seeds_and_launch(tiny_campaign):
    record = json.loads((tiny_campaign / "results/glass/sample1/melt/provenance.json").read_text())
    assert record["lammps"]["version"] == "20250722"
    assert {"MANYBODY", "COLVARS", "REPLICA", "OPENMP"} <= set(record["lammps"]["packages"])
    model = load_catalogue()["CuZr_Mendelev2007"]
    assert record["potential"]["sha256"] == model.sha256
    assert record["seeds"] == {"placement": 4242 + 7919, "velocity": 4242 + 7919 + 1}
    assert record["mpi_ranks"] == 1 and record["accelerator"] == "none"
    assert record["config"]["n_atoms"] == 250
    assert record["workflow_version"].startswith("0.1.0")
    _, attributes = read_hdf5(tiny_campaign / "results/glass/sample0/quench/quench.h5")
    assert json.loads(attributes["provenance"])["potential"]["sha256"] == model.sha256


def test_quench_follows_the_set_cooling_rate(tiny_campaign):
    datasets, _ = read_hdf5(tiny_campaign / "results/glass/sample0/quench/quench.h5")
    time, target = datasets["time"][0], datasets["target_temperature"][0]
    temperature = datasets["temperature"][0]
    assert datasets["temperature"][1] == "K" and datasets["time"][1] == "ps"
    # 1e14 K/s = 100 K/ps from 2000 K; the thermostat follows within its noise
    assert np.polyfit(time, target, 1)[0] == pytest.approx(-100.0, rel=1e-3)
    assert np.polyfit(time, temperature, 1)[0] == pytest.approx(-100.0, rel=0.1)
    assert target[0] == pytest.approx(2000.0 - 100.0 * time[0], abs=1.0)
    assert np.abs(temperature - target).mean() < 50.0


def test_inherent_structures_are_minima_below_the_glass(tiny_campaign):
    table = pd.read_csv(tiny_campaign / "results/glass/inherent_structures.csv")
    assert len(table) == 4
    assert (table["max_force_component"] < 1e-4).all()
    assert (table["potential_energy"] < table["initial_potential_energy"]).all()
    glass = read_data_file(tiny_campaign / "results/glass/sample0/T300/equilibrate/glass.data")
    inherent = read_data_file(tiny_campaign / "results/glass/sample0/T300/inherent/inherent.data")
    assert (glass.ids == inherent.ids).all() and (glass.box == inherent.box).all()


def test_structure_of_the_glass_is_amorphous_cu_zr(tiny_campaign):
    table = pd.read_csv(tiny_campaign / "results/glass/structure.csv")
    at_300 = table[(table["temperature"] == 300.0)].groupby("pair")["r_peak"].mean()
    # Cu50Zr50 glass: Cu-Cu ~2.5-2.6, Cu-Zr ~2.7-2.8, Zr-Zr ~3.1-3.2 Angstrom
    assert 2.4 < at_300["Cu-Cu"] < at_300["Cu-Zr"] < at_300["Zr-Zr"] < 3.4
    total = table[table["pair"] == "total"]
    assert (total["r_min"] > total["r_peak"]).all()
    check = json.loads((tiny_campaign / "results/glass/sample0/melt/liquid_check.json").read_text())
    assert check["passed"] and check["msd_final"] > check["msd_threshold"]


def test_a_lammps_error_fails_the_job_with_lammps_own_message(tmp_path):
    import yaml

    from conftest import TINY_CONFIG

    config = yaml.safe_load(TINY_CONFIG.read_text())
    config["timestep"] = 80.0  # fs: atoms fly out of their cells in the first steps
    config["dms"] = {}  # its periods would be refused as shorter than 100 such steps
    config["metad"] = {}  # and its segments as shorter than a hill interval
    bad = tmp_path / "exploding.yaml"
    bad.write_text(yaml.safe_dump(config))
    work = tmp_path / "work"
    work.mkdir()
    result = run_snakemake(work, "--until", "melt", configfile=bad, timeout=300)
    assert result.returncode != 0
    assert "LammpsError" in result.stderr and "ERROR: " in result.stderr
    assert not list(work.glob("results/glass/sample*/melt/liquid.data"))


def test_dms_stage_publishes_fits_displacements_and_figures(tiny_campaign):
    dms = tiny_campaign / "results" / "dms"
    point = dms / "sample1" / "T600" / "shear" / "tw2_a0.012"
    fit = json.loads((point / "fit.json").read_text())
    assert fit["stress_unit"] == "GPa" and fit["phase_unit"] == "rad"
    assert fit["n_cycles"] == 3 and 0 < fit["storage_modulus"] < 100
    for name in ("cycle.png", "d2min_slice.png", "d2min.dump"):
        assert (point / name).stat().st_size > 1000, name
    figures = ("spectra", "maps", "temperature", "scaling_law", "amplitude_sweep")
    for figure in figures:
        assert (dms / "figures" / f"{figure}.pdf").stat().st_size > 1000, figure
    spectra = pd.read_csv(dms / "spectra.csv")
    assert len(spectra) == 4 and (spectra["n_samples"] == 2).all()
    assert (spectra[["storage_modulus_error", "phase_error", "is_dmin_error"]] > 0).all(axis=None)
    sweep = pd.read_csv(dms / "amplitude_sweep.csv")
    assert sorted(sweep["amplitude"]) == [0.006, 0.012, 0.024]
    law = json.loads((dms / "scaling_law.json").read_text())
    # every shear state point is fitted or listed as excluded (the interval's coverage is
    # shown by simulation in test_dms_summary / test_analysis_scaling)
    assert law["n_points"] + law["n_excluded"] == (spectra["mode"] == "shear").sum() == 4
    assert len(law["excluded"]) == law["n_excluded"] and law["n_points"] >= 3


def test_dms_inherent_structures_and_minimal_displacement(tiny_campaign):
    point = tiny_campaign / "results/dms/sample0/T300/shear/tw1_a0.012"
    record = json.loads((point / "displacement.json").read_text())
    # the start snapshot is the equilibrated glass: its minimisation is the glass stage's
    start = read_data_file(point / "inherent_start/inherent.data")
    glass_stage = read_data_file(
        tiny_campaign / "results/glass/sample0/T300/inherent/inherent.data")
    assert np.abs(start.positions - glass_stage.positions).max() < 1e-6
    assert record["r0"] == pytest.approx((start.volume / start.n_atoms) ** (1 / 3))
    assert 0 < record["is_dmin"] < record["r0"] / 2 and record["length_unit"] == "Angstrom"
    dump = (point / "d2min.dump").read_text().splitlines()
    assert dump[8] == "ITEM: ATOMS id type x y z d2min n_neighbours" and len(dump) == 9 + 250


def test_intermediate_scattering_at_the_first_peak_of_s_of_q(tiny_campaign):
    fit = json.loads((tiny_campaign / "results/scattering/sample0/T300/fs_fit.json").read_text())
    peaks = json.loads((tiny_campaign / "results/glass/sample0/T300/structure.json").read_text())
    # dense liquids and glasses: q1 r_nn ~ 7-7.7 (Cu50Zr50: q1 ~ 2.7 1/Angstrom)
    assert 7.0 < fit["q1"] * peaks["pairs"]["total"]["r_peak"] < 7.8
    datasets, _ = read_hdf5(tiny_campaign / "results/scattering/sample0/T300/fs.h5")
    fs = datasets["fs"][0]
    assert fs[0] == pytest.approx(1.0) and 0.5 < fs[-1] < 1.0  # a glass at 300 K barely decays
    assert (tiny_campaign / "results/scattering/alpha_relaxation.csv").is_file()


def test_metadynamics_stage_reports_every_run(tiny_campaign):
    metad = tiny_campaign / "results" / "metad"
    table = pd.read_csv(metad / "barriers.csv")
    assert len(table) == 4 and set(table["temperature"]) == {300.0, 600.0}
    assert set(table["status"]) <= {"crossed", "no_saddle", "no_minimum"}
    assert (table["n_cluster_atoms"] > 5).all() and (table["energy_unit"] == "eV").all()
    spectra = pd.read_csv(metad / "spectra.csv")
    assert list(spectra["n_runs"]) == [2, 2]
    activation = json.loads((metad / "activation.json").read_text())
    assert "error" in activation["reductions"]["effective"]  # two temperatures only
    run = metad / "T600" / "r4" / "run0"
    assert pd.read_csv(run / "trajectory.csv")["rmsd"].iloc[0] < 1e-5
    assert not list(run.glob("checkpoint*"))
    sizes = pd.read_csv(metad / "cluster_size.csv")
    assert list(sizes["cutoff"].astype(str)) == ["first_peak", "4"]
    assert sizes["n_cluster_atoms"].iloc[0] < sizes["n_cluster_atoms"].iloc[1]
    for figure in ("run", "spectra", "convergence", "activation", "arrhenius", "cluster_size"):
        assert (metad / "figures" / f"{figure}.png").stat().st_size > 1000


def test_art_stage_reports_every_search(tiny_campaign):
    """Two clusters (one per sample) x two searches: the tiny glass may give no verified
    saddle, so only the bookkeeping is checked, not the barriers: every search's levels
    (each within the next), each level's Clopper-Pearson interval, and the spectrum of the
    configured level (metabasin) in summary.json and on the Delta F_eff panel."""
    art = tiny_campaign / "results" / "art"
    events = pd.read_csv(art / "events.csv")
    assert len(events) == 4 and list(events["sample"]) == [0, 0, 1, 1]
    assert list(events["seed"]) == [2000, 2001, 2002, 2003]
    assert set(events["status"]) <= set(FAILURES) | set(LEVEL_STATUSES["metabasin"])
    for level, statuses in LEVEL_STATUSES.items():
        assert (events[level] == events["status"].isin(statuses)).all()
    assert (events["strict"] <= events["metabasin"]).all()
    assert (events["metabasin"] <= events["first_order"]).all()
    assert (events.loc[events["first_order"], "eigenvalue"] < 0).all()
    assert (events["unique"] == (events["metabasin"] & (events["duplicate_of"] < 0))).all()
    assert (events["energy_unit"] == "eV").all()
    datasets, _ = read_hdf5(art / "events.h5")
    assert datasets["saddle_displacement"][0].shape == (4, 250, 3)
    summary = json.loads((art / "summary.json").read_text())
    assert summary["searches"] == 4 and sum(summary["statuses"].values()) == 4
    assert summary["spectrum_level"] == "metabasin"
    assert summary["activation_energy"]["unit"] == "eV"
    assert summary["activation_energy"]["n"] == summary["unique"]
    for level, record in summary["levels"].items():
        count, searches = record["successes"], summary["searches"]
        assert count == events[level].sum()
        clopper_pearson = (beta.ppf(0.025, count, searches - count + 1) if count else 0.0,
                           beta.ppf(0.975, count + 1, searches - count)
                           if count < searches else 1.0)  # the beta-quantile form
        assert record["interval"] == pytest.approx(clopper_pearson, abs=1e-9)
    neb = pd.read_csv(art / "neb.csv")
    assert len(neb) == min(1, events["unique_strict"].sum())
    for figure in ("spectrum", "neb"):
        assert (art / "figures" / f"{figure}.pdf").stat().st_size > 1000
    assert not list(art.rglob("*.partial"))
    activation = json.loads((tiny_campaign / "results/metad/activation.json").read_text())
    assert activation["art"]["n"] == summary["unique"]


def test_the_default_profile_is_loaded(tmp_path):
    result = run_snakemake(tmp_path, "--dry-run", "--", "results/glass/sample0/melt/liquid.data")
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(r"Using workflow specific profile \S*profiles/default for setting",
                     result.stdout + result.stderr)


def test_verify_names_a_result_changed_after_its_run(tiny_campaign):
    result = run_snakemake(tiny_campaign, "verify")
    assert result.returncode == 0, result.stderr[-3000:]
    runs = int(re.search(r"verify: (\d+) runs checked, 0 problem\(s\)", result.stderr).group(1))
    assert runs == len(list((tiny_campaign / "results").rglob("provenance.json")))
    series = tiny_campaign / "results/glass/sample0/quench/series.dat"
    original, stamp = series.read_bytes(), series.stat()
    try:
        series.write_bytes(original[:-100])  # cut short, with its old time stamp
        os.utime(series, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
        result = run_snakemake(tiny_campaign, "verify")
    finally:
        series.write_bytes(original)
        os.utime(series, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert result.returncode != 0
    assert (f"{series.relative_to(tiny_campaign)}: changed since the run (SHA-256 differs)"
            in result.stderr)
    assert f"verify: {runs} runs checked, 1 problem(s)" in result.stderr
    summary = f"verify: {runs} runs checked, 1 problem(s)"
    assert summary in (tiny_campaign / "logs/verify.log").read_text()


def test_a_second_run_after_the_locks_were_wiped_cannot_clobber_a_running_job(tmp_path):
    """Snakemake's own lock is gone (another run that ended removes .snakemake/locks):
    the job-folder lock stops the second run's copy of the running job at once, and
    nothing of the first run's result is lost."""
    config = yaml.safe_load(TINY_CONFIG.read_text())
    config["melt"]["duration"] = 30.0  # ps: long enough to start a second run beside it
    configfile = tmp_path / "long_melt.yaml"
    configfile.write_text(yaml.safe_dump(config))
    work, target = tmp_path / "work", "results/glass/sample0/melt/liquid.data"
    work.mkdir()
    melt = work / "results/glass/sample0/melt"
    first = start_snakemake(work, configfile, target)
    deadline = time.monotonic() + 120
    while not (melt / "series.dat.partial").exists():
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.2)
    shutil.rmtree(work / ".snakemake" / "locks")

    second = run_snakemake(work, "--", target, configfile=configfile)
    first_out, first_err = first.communicate(timeout=600)

    assert second.returncode != 0
    assert f"{melt.resolve()}: this job folder is in use by pid" in second.stderr
    assert first.returncode == 0, first_err[-3000:]
    assert json.loads((melt / "provenance.json").read_text())["start"] == "fresh start"
    assert run_snakemake(work, "verify", configfile=configfile).returncode == 0
    again = run_snakemake(work, "--dry-run", "--", target, configfile=configfile)
    assert "Nothing to be done" in again.stdout + again.stderr, again.stdout + again.stderr


def start_snakemake(work, configfile, *targets):
    """The workflow started in the background (as run_snakemake runs it)."""
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
               "--directory", str(work), "--configfile", str(configfile), "--cores", "2",
               "--", *targets]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_the_validation_target_sets_the_campaign_beside_the_papers(tiny_campaign):
    """The tiny Cu50Zr50 campaign: one row per Cu50Zr50 number its stages measure (no
    Kob-Andersen exponent, no Tg against cooling rate, which it does not run; Delta F_eff
    at 400 K out of reach), each with a verdict; the activation rows read activation.json;
    the paper configs costed from the tiny campaign's own LAMMPS loops."""
    results = tiny_campaign / "results"
    table = pd.read_csv(results / "validation.csv").set_index("key")
    assert set(table.index) == {"shear_modulus_cu50zr50", "lyu_dynamic_correspondence",
                                "yang_activation_energy", "yang_activation_entropy_effective",
                                "yang_activation_entropy_parallel",
                                "yang_activation_entropy_sequential", "yang_cluster_size_drop",
                                "yang_art_mean", "yang_effective_barrier_400K"}
    assert table.loc["yang_effective_barrier_400K"].verdict == "out of reach"  # 300, 600 K only
    assert set(table.verdict) <= {"agrees", "not resolved", "differs", "out of reach",
                                  "no published value"}
    assert table.reason.notna().all()
    fit = json.loads((results / "metad/activation.json").read_text())["reductions"]["effective"]
    energy = table.loc["yang_activation_energy"]
    if "error" in fit:
        assert energy.verdict == "out of reach" and fit["error"] in energy.reason
    else:
        assert energy.value == pytest.approx(fit["activation_energy"])
    costs = pd.read_csv(results / "cost_model.csv")
    totals = costs[costs.stage == "total"].set_index("config")
    assert set(totals.index) == {f"config/{name}" for name in (
        "paper_lyu_cu64zr36.yaml", "paper_yang2020.yaml", "paper_yu_kob_andersen.yaml")}
    assert (totals.core_hours > 0).all()
    assert table.paper_scale_cost.str.contains("core-h").all()
    assert (results / "validation.html").stat().st_size > 0
