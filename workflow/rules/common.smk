# Validation of the config before any job starts, and helpers shared by the rules.
import sys

from mgrelax.config import ConfigError, launch_settings, validate_config
from mgrelax.glass import number_label

try:
    config.update(validate_config(config))
except ConfigError as error:
    sys.exit(str(error))

LAUNCH = launch_settings(config)
SAMPLES = list(range(config["samples"]))
TEMPERATURES = [number_label(t) for t in config["temperatures"]]
GLASS = "results/glass"
SAMPLE_DIR = GLASS + "/sample{sample}"


wildcard_constraints:
    sample=r"\d+",
    temperature=r"[0-9.]+",


def lammps_resources():
    """Resources of a LAMMPS job: MPI ranks as tasks, OpenMP threads per task."""
    return {"tasks": LAUNCH.ranks, "cpus_per_task": LAUNCH.threads_per_rank}
