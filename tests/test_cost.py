"""The cost model (mgrelax.cost): LAMMPS's loop times read back from a real run, the
work of a config counted by hand, and the upper bounds marked."""

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from mgrelax.config import model_of, validate_config
from mgrelax.cost import (RunCounts, campaign_logs, campaign_work, cost_estimate,
                          format_cost_lines, measured_costs, search_times)
from mgrelax.launch import lammps_instance

ATOMS, MD_STEPS = 256, 300
RUN = f"""
units lj
atom_style atomic
lattice fcc 0.8442
region box block 0 4 0 4 0 4
create_box 1 box
create_atoms 1 box
mass 1 1.0
velocity all create 1.5 87287
pair_style lj/cut 2.5
pair_coeff 1 1 1.0 1.0 2.5
fix integrate all nve
run 0
run {MD_STEPS}
unfix integrate
minimize 0.0 1.0e-8 1000 10000
"""
COUNTS = RunCounts(force_calls_per_search=1000.0, evaluations_per_minimisation=100.0)


def lammps_run(folder: Path, threads_per_rank: int) -> None:
    """A real LAMMPS run in ``folder`` (log.lammps) with its provenance.json."""
    folder.mkdir(parents=True)
    lmp = lammps_instance(["-log", str(folder / "log.lammps"), "-screen", "none"])
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        lmp.commands_string(RUN)
    finally:
        lmp.close()
        os.chdir(cwd)
    (folder / "provenance.json").write_text(json.dumps(
        {"template": "test", "mpi_ranks": 1, "threads_per_rank": threads_per_rank}))


def loop_lines(log: Path) -> list[list[str]]:
    """The words of each 'Loop time of X on P procs for S steps with N atoms' line."""
    return [line.split() for line in log.read_text().splitlines()
            if line.startswith("Loop time of")]


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> Path:
    """A results folder with one real run in the glass stage (1 thread per rank) and
    its log copied into the DMS stage with 2 threads per rank."""
    results = tmp_path_factory.mktemp("campaign") / "results"
    lammps_run(results / "glass" / "sample0" / "melt", threads_per_rank=1)
    copy = results / "dms" / "sample0" / "T300" / "shear" / "tw1_a0.01"
    copy.mkdir(parents=True)
    shutil.copy(results / "glass" / "sample0" / "melt" / "log.lammps", copy)
    (copy / "provenance.json").write_text(json.dumps({"mpi_ranks": 1, "threads_per_rank": 2}))
    return results


def test_measured_cost_is_loop_time_times_cores_over_atom_steps(campaign):
    log = campaign / "glass" / "sample0" / "melt" / "log.lammps"
    setup, md, minimisation = loop_lines(log)
    assert setup[8] == "0"  # run 0: left out
    seconds, procs, steps, atoms = float(md[3]), int(md[5]), int(md[8]), int(md[11])
    assert (steps, atoms) == (MD_STEPS, ATOMS)
    costs = measured_costs(campaign)
    glass = costs.loc[("glass", "md")]
    expected = seconds * procs / (steps * atoms)
    assert glass["median"] == pytest.approx(expected, rel=1e-12)
    assert glass.p16 == glass.p84 == glass["median"]  # one loop
    assert (glass.loops, glass.runs, glass.atom_steps) == (1, 1, MD_STEPS * ATOMS)
    assert costs.loc[("dms", "md"), "median"] == pytest.approx(2 * expected, rel=1e-12)
    evaluations = int(next(line for line in log.read_text().splitlines()
                           if "force evaluations =" in line).split()[-1])
    expected_minimisation = float(minimisation[3]) * int(minimisation[5]) / (evaluations * ATOMS)
    assert costs.loc[("glass", "minimisation"), "median"] == pytest.approx(
        expected_minimisation, rel=1e-12)
    assert costs.loc[("glass", "minimisation"), "atom_steps"] == evaluations * ATOMS


def test_campaign_work_counts_melt_quench_and_metad_by_hand(tiny_config):
    tiny_config["glass_transition"] = {"cooling_rates": [1.0e+14, 5.0e+13]}
    config = validate_config(tiny_config)
    work = campaign_work(config, model_of(config), COUNTS).set_index("process")
    n_atoms, samples = 250, 2
    # melt 4 ps at 2 fs; quench 2000 -> 300 K at 1e14 K/s: 17 ps
    assert work.atom_steps["melt"] == samples * 2000 * n_atoms
    assert work.atom_steps["quench"] == samples * 8500 * n_atoms
    # the campaign's own rate is not quenched twice; 5e13 K/s: 34 ps
    assert work.jobs["quench_at_rate"] == samples
    assert work.atom_steps["quench_at_rate"] == samples * 17000 * n_atoms
    # 2 temperatures x 2 runs, and the size series at 600 K (first_peak, 4.0) x 1 run,
    # whose 4.0 run is the campaign's: 5 runs of 2 ps
    assert work.jobs["metad"] == 5
    assert work.atom_steps["metad"] == 5 * 1000 * n_atoms
    # 2 centres x 2 searches
    assert work.atom_steps["art_search"] == 4 * COUNTS.force_calls_per_search * n_atoms
    # DMS: 2 samples x 2 temperatures x 2 periods (shear), each with IS D_min; the
    # amplitude sweep at 300 K and 1 ps adds 0.006 and 0.024 (its 0.012 is a grid point)
    assert work.jobs["dms"] == 12 and work.jobs["dms_displacement"] == 8
    assert work.atom_steps["dms"] == samples * 4 * (2 * (500 + 1000) + 2 * 500) * n_atoms


def test_metad_is_marked_as_an_upper_bound(tiny_config):
    config = validate_config(tiny_config)
    work = campaign_work(config, model_of(config), COUNTS)
    index = pd.MultiIndex.from_frame(work[["cost_stage", "kind"]].drop_duplicates())
    costs = pd.DataFrame({"median": 2e-6, "p16": 1e-6, "p84": 3e-6}, index=index)
    estimate = cost_estimate(work, costs)
    metad_atom_steps = work.set_index("process").atom_steps["metad"]
    assert estimate.core_hours["metad"] == pytest.approx(metad_atom_steps * 2e-6 / 3600)
    assert estimate.core_hours["total"] == pytest.approx(work.atom_steps.sum() * 2e-6 / 3600)
    assert "upper bound" in estimate.notes["metad"]
    line = next(line for line in format_cost_lines(estimate, "tiny.yaml")
                if line.strip().startswith("metad"))
    assert "upper bound: every run to max_duration" in line


def test_art_searches_are_timed_from_the_batch_log(tmp_path):
    log = tmp_path / "batch0.log"
    log.write_text("".join(
        f"2026-12-06 22:36:{second:02d},500 mgrelax.art.jobs: sample 0 batch 0 search "
        f"{number}/3 (cluster 0, atom 50, seed {2000 + number}): saddle, E_a 1.0 eV, "
        "400 force calls \n" for number, second in ((1, 10), (2, 13), (3, 20))))
    times = search_times(log)
    assert times.seed.tolist() == [2002, 2003]
    assert times.seconds.tolist() == [3.0, 7.0]
    assert campaign_logs(Path("/x/results/validation/cuzr")) == Path("/x/logs/validation/cuzr")
