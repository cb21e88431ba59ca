"""What every Snakemake step script needs: validated config, model, launch, provenance."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass

from mgrelax.config import launch_settings, model_of, validate_config
from mgrelax.launch import LaunchSettings
from mgrelax.potentials import Model
from mgrelax.provenance import provenance

LOG_FORMAT = "%(asctime)s %(name)s: %(message)s"
"""Lines of a job's Snakemake log: time stamp, module, message (mgrelax.cost parses them)."""


@dataclass(frozen=True)
class StepContext:
    config: dict
    model: Model
    launch: LaunchSettings

    def provenance(self, **seeds) -> dict:
        return provenance(self.config, self.model, self.launch, seeds)


def step_context(snakemake, stage: str) -> StepContext:
    """Context of the Snakemake job of ``stage`` running this script.

    LAMMPS runs with the ranks, threads per rank and GPUs the job was granted (its
    resources ``tasks``, ``cpus_per_task`` and ``gpu``), which the rules take from the
    config and ``--set-resources`` may change. Messages of the job (start, resume,
    progress, finish, errors) go to its Snakemake log, each line written as it comes
    (``tail -f`` follows it). A job that draws figures gets the config's plotting
    options as its param ``figure_style``.
    """
    if snakemake.log:
        log_to(snakemake.log[0])
    style = getattr(snakemake.params, "figure_style", None)
    if style:
        from mgrelax.figures import use_style  # matplotlib only for the jobs that plot

        use_style(**style)
    config = validate_config(snakemake.config)
    granted = snakemake.resources
    launch = launch_settings(config, stage, ranks=getattr(granted, "tasks", None),
                             threads_per_rank=getattr(granted, "cpus_per_task", None),
                             gpus_per_node=getattr(granted, "gpu", None))
    return StepContext(config=config, model=model_of(config), launch=launch)


def log_to(path: str) -> None:
    """Send this process's log messages (INFO and up) and an uncaught error to ``path``."""
    logging.basicConfig(filename=path, level=logging.INFO, format=LOG_FORMAT)
    previous_hook = sys.excepthook

    def log_and_raise(kind, error, traceback):
        logging.getLogger("mgrelax").error("%s: %s", kind.__name__, error)
        previous_hook(kind, error, traceback)

    sys.excepthook = log_and_raise
