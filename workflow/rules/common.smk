# Validation of the config before any job starts, the campaign's folders, and every
# function the workflow's files use (snakemake --lint wants the others free of them).
import sys

from mgrelax.config import ConfigError, job_resources, launch_settings, validate_config
from mgrelax.plan import (
    dms_grid_jobs,
    logs_folder,
    metad_campaign_jobs,
    metad_size_series_jobs,
    number_label,
    rule_settings,
)

try:
    config.update(validate_config(config))
except ConfigError as error:
    sys.exit(str(error))

SAMPLES = list(range(config["samples"]))
TEMPERATURES = [number_label(t) for t in config["temperatures"]]
RESULTS = config["results"]
LOGS = logs_folder(RESULTS)
GLASS = f"{RESULTS}/glass"
SAMPLE_DIR = f"{GLASS}/sample{{sample}}"
FIGURE_STYLE = config["figures"]


wildcard_constraints:
    sample=r"\d+",
    temperature=r"[0-9.]+",


def lammps_resources(stage, ranks=None):
    """Resources of a LAMMPS job of ``stage``: MPI ranks as tasks, threads per task,
    GPUs, memory, run time and partition (the config's lammps, resources and stages)."""
    return job_resources(config, stage, ranks)


def lammps_threads(stage, ranks=None):
    """Cores of a LAMMPS job of ``stage``: its ranks times threads per rank."""
    launch = launch_settings(config, stage, ranks)
    return launch.ranks * launch.threads_per_rank


def settings_of(rule_name):
    """The config values the results of ``rule_name`` depend on (mgrelax.plan.RULE_SETTINGS),
    its params, so that a change of them reruns the jobs of that rule and nothing else."""
    return rule_settings(config, rule_name)


def expand_jobs(rule_output, jobs):
    """``rule_output`` of every job of ``jobs`` (wildcard dicts of one of mgrelax.plan's
    job grids), in their order."""
    if not jobs:
        return []
    return expand(rule_output, zip, **{key: [job[key] for job in jobs] for key in jobs[0]})


def figure_files(name, stem, caption=None, category=None):
    """Outputs of one figure: ``name`` the PNG (in the HTML report when it has a caption),
    ``name``_pdf the vector PDF and ``name``_csv the numbers it plots (mgrelax.figures.save)."""
    png = stem + ".png"
    return {
        name: report(png, caption=caption, category=category) if caption else png,
        name + "_pdf": stem + ".pdf",
        name + "_csv": stem + ".csv",
    }


def dms_grid(rule_output):
    """``rule_output`` of every point of the temperature x mode x period grid and of the
    correspondence point in its three modes (mgrelax.plan.dms_grid_jobs), sorted."""
    return sorted(expand_jobs(rule_output, dms_grid_jobs(config)))


def metad_campaign_runs(rule_output):
    """``rule_output`` of every run at the metadynamics temperatures and cutoff."""
    return expand_jobs(rule_output, metad_campaign_jobs(config))


def metad_size_series_runs(rule_output):
    """``rule_output`` of every run of the cluster-size series."""
    return expand_jobs(rule_output, metad_size_series_jobs(config))


def glass_of_metad_run(rule_output):
    """Input function: ``rule_output`` of the glass stage for the sample that a
    metadynamics run's cluster is taken from (run number modulo samples)."""

    def of_run(wildcards):
        return expand(
            rule_output, sample=int(wildcards.run) % len(SAMPLES), temperature=wildcards.temperature
        )[0]

    return of_run
