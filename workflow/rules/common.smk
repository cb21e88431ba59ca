# Validation of the config before any job starts, and helpers shared by the rules.
import sys

from mgrelax.config import ConfigError, job_resources, launch_settings, validate_config
from mgrelax.plan import logs_folder, number_label, rule_settings

try:
    config.update(validate_config(config))
except ConfigError as error:
    sys.exit(str(error))

SAMPLES = list(range(config["samples"]))
TEMPERATURES = [number_label(t) for t in config["temperatures"]]
RESULTS = config["results"]
LOGS = logs_folder(RESULTS)
GLASS = RESULTS + "/glass"
SAMPLE_DIR = GLASS + "/sample{sample}"
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


def settings_of(rule):
    """The config values the results of ``rule`` depend on (mgrelax.plan.RULE_SETTINGS):
    its params, so that a change of them reruns the rule's jobs and nothing else."""
    return rule_settings(config, rule)


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
    return {name: report(png, caption=caption, category=category) if caption else png,
            name + "_pdf": stem + ".pdf", name + "_csv": stem + ".csv"}
