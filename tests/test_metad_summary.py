"""Metadynamics summary: barrier table, spectra, activation fit, figures and the
cluster-size convergence, on fake run folders with known barriers."""

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from matplotlib.container import ErrorbarContainer
from scipy.stats import CensoredData, norm

from analysis.barriers import BOLTZMANN, transition_frequency
from mgrelax.lammps_io import write_hdf5
from mgrelax.metad.figures import REDUCTION_PANELS, activation_figure
from mgrelax.metad.summary import write_metad_summary, write_size_convergence

ACTIVATION_ENERGY = 1.0   # eV
ACTIVATION_ENTROPY = 10.0  # k_B
NU0 = 2e12                 # Hz
CROSSED_RUNS = 20
SPREAD = 0.06              # eV, sd of the barriers around Delta F(T)
OFFSETS = {500.0: 0.004, 600.0: -0.008, 700.0: 0.004}
"""eV: shifts of the spectra off the line (orthogonal to it), so the fit has errors."""
FILLED_DEPTH = 0.1
"""eV: depth the bias of a fake no_saddle run had filled, below every fake barrier."""
SUMMARY_OUTPUTS = ("barriers", "spectra", "activation", "run_figure", "run_figure_pdf",
                   "spectra_figure", "spectra_figure_pdf", "convergence_figure",
                   "convergence_figure_pdf", "activation_figure", "activation_figure_pdf",
                   "arrhenius_figure", "arrhenius_figure_pdf")


def free_energy(temperature):
    """The construction: Delta F(T) = Delta Q - T Delta S (eV)."""
    return ACTIVATION_ENERGY - temperature * ACTIVATION_ENTROPY * BOLTZMANN


def symmetric_spectrum(centre, n, seed):
    """``n`` (even) barriers centred on ``centre``: deviations d and -d, so that their
    mean and the effective single barrier are both exactly ``centre``; in random order."""
    rng = np.random.default_rng(seed)
    half = rng.lognormal(np.log(SPREAD), 0.4, n // 2)
    return centre + rng.permutation(np.concatenate([half, -half]))


def make_run(root, temperature, cutoff, run, status, barrier=None, n_atoms=13,
             filled_depth=FILLED_DEPTH):
    """A run folder with run.json, trajectory.csv and free_energy.csv; returns run.json.
    A no_saddle run's profile rises from its minimum at 0.005 Angstrom to a plateau
    ``filled_depth`` (eV) above it."""
    folder = root / f"T{temperature:g}" / f"r{cutoff}" / f"run{run}"
    folder.mkdir(parents=True)
    found = status == "crossed"
    grid = np.arange(0.005, 3.0, 0.01)
    saddle = 1.0
    profile = ((barrier or 0.5) * np.sin(np.pi * grid / (2 * saddle)) ** 2 if found
               else filled_depth * np.clip(grid - 0.005, 0.0, 1.0) ** 2)
    record = {
        "temperature": float(temperature), "cutoff": cutoff, "run": run, "sample": run % 2,
        "centre_id": 100 + run, "cluster_ids": list(range(1, n_atoms + 1)),
        "cluster_types": [1] * n_atoms, "n_cluster_atoms": n_atoms, "duration": 20.0,
        "barrier_time": 12.0 if found else 20.0,
        "hill_weight": 0.05, "hill_width": 0.35, "hill_interval_steps": 100,
        "bias_temperature": 8000.0, "basin_depth": 0.1, "found": found, "status": status,
        "message": f"fake {status} run", "barrier": barrier if found else None,
        "minimum_position": 0.005 if status != "failed" else None,
        "minimum_free_energy": 0.0 if status != "failed" else None,
        "saddle_position": saddle if found else None,
        "saddle_free_energy": barrier if found else None,
        "final_minimum_position": 2.0 if found else None,
        "final_minimum_free_energy": 0.0 if found else None,
        "barrier_over_kt": barrier / (BOLTZMANN * temperature) if found else None,
        "energy_unit": "eV", "cv_unit": "Angstrom", "time_unit": "ps", "temperature_unit": "K",
    }
    (folder / "run.json").write_text(json.dumps(record))
    steps = np.arange(0, 10001, 50)
    pd.DataFrame({"step": steps, "time": steps * 0.002,
                  "rmsd": np.where(steps > 5000, 2.0, 0.2) if found else 0.2 + 0 * steps}
                 ).to_csv(folder / "trajectory.csv", index=False)
    pd.DataFrame({"rmsd": grid, "free_energy": profile}).to_csv(folder / "free_energy.csv",
                                                                index=False)
    return folder / "run.json"


def campaign(root, temperatures=(500.0, 600.0, 700.0)):
    """Record paths: per temperature 20 crossed runs around Delta F(T) and two no_saddle
    runs; one failed run at the lowest temperature."""
    paths = []
    for index, temperature in enumerate(temperatures):
        barriers = symmetric_spectrum(free_energy(temperature) + OFFSETS.get(temperature, 0.0),
                                      CROSSED_RUNS, seed=index)
        for run, barrier in enumerate(barriers):
            paths.append(make_run(root, temperature, "4", run, "crossed", float(barrier)))
        for run in range(CROSSED_RUNS, CROSSED_RUNS + 2):
            paths.append(make_run(root, temperature, "4", run, "no_saddle"))
    paths.append(make_run(root, temperatures[0], "4", CROSSED_RUNS + 2, "failed"))
    return paths


def outputs(directory, names=SUMMARY_OUTPUTS):
    suffixes = {"barriers": ".csv", "spectra": ".csv", "activation": ".json", "table": ".csv"}
    return SimpleNamespace(**{name: str(directory / (name.removesuffix("_pdf") + (
        suffixes.get(name) or (".pdf" if name.endswith("_pdf") else ".png"))))
        for name in names})


def summarise(tmp_path, paths, experiments=None):
    output = outputs(tmp_path / "summary")
    (tmp_path / "summary").mkdir()
    write_metad_summary(paths, output, NU0, experiments, n_resamples=999)
    return output


def test_summary_tables_keep_every_run_and_recover_the_activation_parameters(tmp_path):
    paths = campaign(tmp_path / "metad")
    experiments = tmp_path / "experiments.csv"
    experiments.write_text("label,temperature,frequency\nPd40Ni10Cu30P20,400,10\n"
                           "Pd40Ni10Cu30P20,450,1000\nCu50Zr50,600,1e4\n")
    output = summarise(tmp_path, paths, experiments)

    barriers = pd.read_csv(output.barriers)
    assert len(barriers) == len(paths) == 3 * (CROSSED_RUNS + 2) + 1
    assert barriers["status"].value_counts().to_dict() == {
        "crossed": 3 * CROSSED_RUNS, "no_saddle": 6, "failed": 1}
    assert "cluster_ids" not in barriers and "cluster_types" not in barriers
    assert {"energy_unit", "cv_unit", "time_unit", "temperature_unit",
            "frequency_unit"} <= set(barriers)
    failed = barriers[barriers["status"] == "failed"].iloc[0]
    assert np.isnan(failed["barrier"]) and failed["message"] == "fake failed run"
    crossed = barriers[barriers["status"] == "crossed"]
    assert crossed["frequency"].to_numpy() == pytest.approx(transition_frequency(
        crossed["barrier"], crossed["temperature"], NU0))

    spectra = pd.read_csv(output.spectra).set_index("temperature")
    assert list(spectra.index) == [500.0, 600.0, 700.0]
    assert spectra["n_runs"].to_dict() == {500.0: 23, 600.0: 22, 700.0: 22}
    assert (spectra["n_crossed"] == CROSSED_RUNS).all()
    assert spectra["n_flagged"].to_dict() == {500.0: 3, 600.0: 2, 700.0: 2}
    assert spectra["n_failed"].to_dict() == {500.0: 1, 600.0: 0, 700.0: 0}
    assert (spectra["n_no_saddle"] == 2).all() and (spectra["n_no_minimum"] == 0).all()
    assert (barriers.loc[barriers["status"] == "no_saddle", "censored_at"] == FILLED_DEPTH).all()
    assert barriers.loc[barriers["status"] != "no_saddle", "censored_at"].isna().all()
    assert (spectra["n_censored"] == 2).all() and (spectra["n"] == CROSSED_RUNS + 2).all()
    for temperature, row in spectra.iterrows():
        centre = free_energy(temperature) + OFFSETS[temperature]
        crossed_barriers = barriers.loc[(barriers["status"] == "crossed")
                                        & (barriers["temperature"] == temperature), "barrier"]
        assert row["barrier_mean"] == pytest.approx(centre)
        assert row["plugin_barrier_eff"] == pytest.approx(centre)   # the symmetric sample
        # Censoring at 0.1 eV, 3.5 sd below the spectra, tells next to nothing: the Gaussian fit
        # is that of the crossed barriers, mean centre and sd their ddof=0 sd
        shift = crossed_barriers.std(ddof=0) ** 2 / (2 * BOLTZMANN * temperature)
        assert row["normal_mean"] == pytest.approx(centre, abs=1e-4)
        assert row["barrier_eff"] == pytest.approx(centre, abs=1e-4)
        assert row["barrier_para"] == pytest.approx(centre - shift, abs=1e-4)
        assert row["barrier_seq"] == pytest.approx(centre + shift, abs=1e-4)
        assert row["plugin_barrier_para"] > row["barrier_para"]   # the sample lacks the tail
        assert row["barrier_para_low"] < row["barrier_para_high"] and row["barrier_eff_error"] > 0
        assert row["lognormal_barrier_para_low"] < row["lognormal_barrier_para_high"]
        assert row["lognormal_median"] == pytest.approx(centre, rel=0.05)
        assert row["nu_eff"] == pytest.approx(transition_frequency(row["barrier_eff"], temperature,
                                                                   NU0))
        assert row["nu_seq"] < row["nu_eff"] < row["nu_para"]
        assert row["nu_eff_low"] <= row["nu_eff"] <= row["nu_eff_high"]
        assert pd.isna(row["note"])

    activation = json.loads(open(output.activation).read())
    assert activation["attempt_frequency"] == NU0
    assert activation["paper"]["activation_entropy"]["effective"] == 14.8
    for name in ("effective", "mean"):
        fit = activation["reductions"][name]
        assert fit["temperatures"] == [500.0, 600.0, 700.0] and fit["weighted"]
        low, high = fit["activation_energy_interval"]
        assert low <= ACTIVATION_ENERGY <= high
        assert fit["activation_energy"] == pytest.approx(ACTIVATION_ENERGY, abs=0.02)
        low, high = fit["activation_entropy_interval"]
        assert low <= ACTIVATION_ENTROPY <= high
        assert fit["activation_entropy"] == pytest.approx(ACTIVATION_ENTROPY, abs=0.5)
    for name in ("parallel", "sequential", "lognormal_parallel"):
        assert activation["reductions"][name]["weighted"]
    plugin = activation["reductions"]["plugin_effective"]
    assert not plugin["weighted"]
    assert plugin["activation_entropy"] == pytest.approx(ACTIVATION_ENTROPY, abs=0.5)

    for name in SUMMARY_OUTPUTS:
        assert Path(getattr(output, name)).stat().st_size > 0


def test_a_temperature_without_crossed_runs_gives_nan_and_a_note(tmp_path):
    paths = campaign(tmp_path / "metad", temperatures=(500.0, 600.0))
    paths += [make_run(tmp_path / "metad", 700.0, "4", run, "no_saddle") for run in range(3)]
    paths.append(make_run(tmp_path / "metad", 800.0, "4", 0, "crossed", 0.4))
    output = summarise(tmp_path, paths)

    spectra = pd.read_csv(output.spectra).set_index("temperature")
    assert list(spectra.index) == [500.0, 600.0, 700.0, 800.0]
    for temperature in (700.0, 800.0):
        row = spectra.loc[temperature]
        assert np.isnan(row["barrier_eff"]) and np.isnan(row["nu_eff"])
        assert np.isnan(row["lognormal_median"]) and np.isnan(row["plugin_barrier_eff"])
        assert "the fits need 3" in row["note"]
        assert "the plug-in single barriers need 2" in row["note"]
    assert spectra.loc[700.0, "n_crossed"] == 0 and spectra.loc[700.0, "n_flagged"] == 3
    assert "3 of 3 runs censored" in spectra.loc[700.0, "note"]
    assert spectra.loc[800.0, "barrier_mean"] == pytest.approx(0.4)
    activation = json.loads(open(output.activation).read())
    assert "needs at least 3" in activation["reductions"]["effective"]["error"]
    assert activation["reductions"]["effective"]["temperatures"] == [500.0, 600.0]
    assert "activation_energy" in activation["reductions"]["mean"]   # 500, 600, 800 K
    for name in SUMMARY_OUTPUTS:
        assert Path(getattr(output, name)).stat().st_size > 0


def test_the_art_mean_is_the_zero_kelvin_point_of_the_effective_barrier(tmp_path):
    """With the ART stage's summary.json, activation.json holds its mean activation energy
    and the Delta F_eff panel shows it at T = 0 K (Fig. 4e), the fits reaching 0 K."""
    art = tmp_path / "art_summary.json"
    art.write_text(json.dumps({"activation_energy": {
        "n": 40, "mean": 1.02, "mean_interval": [0.95, 1.09], "confidence": 0.95,
        "interval_method": "Student t", "unit": "eV", "sd": 0.2}}))
    output = outputs(tmp_path / "summary")
    (tmp_path / "summary").mkdir()
    write_metad_summary(campaign(tmp_path / "metad"), output, NU0, art_summary=art,
                        n_resamples=999)
    activation = json.loads(open(output.activation).read())
    assert activation["art"] == {"n": 40, "mean": 1.02, "mean_interval": [0.95, 1.09],
                                 "confidence": 0.95, "interval_method": "Student t",
                                 "unit": "eV"}

    spectra = pd.read_csv(output.spectra)
    figure = activation_figure(spectra, activation, activation["art"])
    effective = figure.axes[[name for name, *_ in REDUCTION_PANELS].index("effective")]
    assert "ART (0 K)" in effective.get_legend_handles_labels()[1]
    point = effective.containers[-1].lines[0]
    assert list(point.get_xdata()) == [0.0] and list(point.get_ydata()) == [1.02]
    fit_line = figure.axes[0].get_lines()[-1]
    assert fit_line.get_xdata()[0] == 0.0


def test_the_run_figure_falls_back_to_the_first_run_when_none_crossed(tmp_path):
    paths = [make_run(tmp_path / "metad", 500.0, "4", run, "no_saddle") for run in range(2)]
    output = summarise(tmp_path, paths)
    spectra = pd.read_csv(output.spectra)
    assert spectra["n_crossed"].tolist() == [0]
    assert "error" in json.loads(open(output.activation).read())["reductions"]["parallel"]
    assert Path(output.run_figure).stat().st_size > 0


def test_size_convergence_at_two_cutoffs(tmp_path):
    root = tmp_path / "metad"
    paths = [make_run(root, 700.0, "4", run, "crossed", barrier, n_atoms=13)
             for run, barrier in enumerate([0.40, 0.44, 0.42])]
    paths += [make_run(root, 700.0, "first_peak", run, "crossed", barrier, n_atoms=9)
              for run, barrier in enumerate([0.50, 0.56])]
    paths.append(make_run(root, 700.0, "first_peak", 2, "no_saddle", n_atoms=10))
    glass = tmp_path / "glass"
    glass.mkdir()
    r = np.linspace(0.05, 8.0, 160)
    g = 1 + 2 * np.exp(-((r - 2.8) / 0.2) ** 2) * (r > 2.0)
    write_hdf5(glass / "structure.h5", {"r": (r, "Angstrom"), "g/total": (g, "1")}, {})
    (glass / "structure.json").write_text(json.dumps(
        {"pairs": {"total": {"r_peak": 2.8, "r_min": 3.8}}}))
    output = SimpleNamespace(table=str(tmp_path / "size.csv"),
                             figure=str(tmp_path / "size_figure.png"),
                             figure_pdf=str(tmp_path / "size_figure.pdf"))
    write_size_convergence(paths, glass / "structure.h5", output, NU0)

    table = pd.read_csv(output.table)
    assert table["cutoff"].astype(str).tolist() == ["first_peak", "4"]   # by radius
    assert table["cutoff_radius"].tolist() == [2.8, 4.0]
    assert table["n_runs"].tolist() == [3, 3] and table["n_crossed"].tolist() == [2, 3]
    assert table["n_cluster_atoms"].tolist() == pytest.approx([28 / 3, 13.0])
    assert table["barrier_mean"].tolist() == pytest.approx([0.53, 0.42])
    assert table.loc[1, "barrier_sem"] == pytest.approx(np.std([0.40, 0.44, 0.42], ddof=1)
                                                        / np.sqrt(3))
    assert table["frequency"].tolist() == pytest.approx(
        transition_frequency(np.array([0.53, 0.42]), 700.0, NU0))
    assert set(table["frequency_unit"]) == {"Hz"} and set(table["length_unit"]) == {"Angstrom"}
    assert (tmp_path / "size_figure.png").stat().st_size > 0
    assert (tmp_path / "size_figure.pdf").stat().st_size > 0


def test_censored_runs_enter_the_fit_and_warn_above_a_fifth(tmp_path, caplog):
    """20 crossed runs around 0.5 eV and 8 that stopped with 0.55 eV filled: the Gaussian
    fit is scipy's censored fit of those numbers, above the plug-in (crossed-only) value;
    8 of 28 censored is more than a fifth: a warning and a note."""
    barriers = symmetric_spectrum(0.5, CROSSED_RUNS, seed=3)
    root = tmp_path / "metad"
    paths = [make_run(root, 600.0, "4", run, "crossed", float(barrier))
             for run, barrier in enumerate(barriers)]
    paths += [make_run(root, 600.0, "4", CROSSED_RUNS + run, "no_saddle", filled_depth=0.55)
              for run in range(8)]
    with caplog.at_level("WARNING", logger="mgrelax.metad.summary"):
        output = summarise(tmp_path, paths)
    row = pd.read_csv(output.spectra).iloc[0]
    location, scale = norm.fit(CensoredData(uncensored=barriers, right=np.full(8, 0.55)))
    assert row["n_censored"] == 8 and row["n"] == 28
    assert row["normal_mean"] == pytest.approx(location, abs=1e-4)
    assert row["barrier_seq"] == pytest.approx(location + scale**2 / (2 * BOLTZMANN * 600.0),
                                               abs=1e-4)
    assert row["barrier_eff"] > row["plugin_barrier_eff"] + 0.03
    assert "8 of 28 runs censored" in row["note"]
    assert any("8 of 28 runs censored" in message for message in caplog.messages)


def covered_points(figure) -> list[str]:
    """Each drawn data point that a plain text of an axes covers (annotations that label
    a point on purpose excepted), as 'panel: text'."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    covered = []
    for axis in figure.axes:
        points = np.vstack([line.get_xydata() for line in axis.get_lines()]
                           + [np.empty((0, 2))])
        for container in axis.containers:
            if isinstance(container, ErrorbarContainer):
                bars = [np.linspace(*segment, 20) for bars in container.lines[2]
                        for segment in bars.get_segments() if len(segment) == 2]
                points = np.vstack([points, container.lines[0].get_xydata(), *bars])
            else:
                points = np.vstack([points, [(bar.get_x() + bar.get_width() / 2,
                                              bar.get_height()) for bar in container]])
        pixels = axis.transData.transform(points[np.isfinite(points).all(axis=1)])
        for text in axis.texts:
            if type(text).__name__ == "Annotation":
                continue
            box = text.get_window_extent(renderer).expanded(1.0, 1.0).padded(3.0)  # markers
            if any(box.contains(x, y) for x, y in pixels):
                covered.append(f"{axis.get_ylabel()}: {text.get_text()[:40]}")
    return covered


def test_figure_notes_of_a_sparse_campaign_cover_no_data(tmp_path):
    """The default campaign of issue 21 (its barriers): few crossed runs, no fit.
    Notes ('no fit: ...', counts, 'no barrier') sit above the panels: no drawn point is
    under a text (the old bottom-left 'no fit' note covered the low point at 600 K)."""
    from mgrelax.metad.figures import run_figure, spectra_figure

    root = tmp_path / "metad"
    paths = [make_run(root, 600.0, "4", 0, "crossed", 0.246)]
    paths += [make_run(root, 700.0, "4", run, "crossed", barrier)
              for run, barrier in enumerate([1.150, 0.528])]
    paths += [make_run(root, t, "4", run, "no_saddle") for t in (500.0, 600.0)
              for run in (2, 3)]
    output = summarise(tmp_path, paths)
    spectra = pd.read_csv(output.spectra)
    activation = json.loads(open(output.activation).read())
    assert "error" in activation["reductions"]["mean"]
    art = {"n": 0, "mean": None, "mean_interval": [None, None]}
    samples = {600.0: np.array([0.246]), 700.0: np.array([1.150, 0.528])}
    record = json.loads((root / "T500" / "r4" / "run2" / "run.json").read_text())
    trajectory = pd.read_csv(root / "T500" / "r4" / "run2" / "trajectory.csv")
    profile = pd.read_csv(root / "T500" / "r4" / "run2" / "free_energy.csv")
    figures = {"activation": activation_figure(spectra, activation, art),
               "spectra": spectra_figure(samples, spectra),
               "run": run_figure(trajectory, profile["rmsd"], profile["free_energy"], record)}
    for name, figure in figures.items():
        assert covered_points(figure) == [], name
    titles = " ".join(axis.get_title(loc="left") for axis in figures["activation"].axes)
    assert "no fit" in titles and "ART (0 K): no verified saddle" in titles
    assert "no barrier" in figures["run"].axes[1].get_title(loc="left")
