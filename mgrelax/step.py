"""What every Snakemake step script needs: validated config, model, launch, provenance."""

from __future__ import annotations

from dataclasses import dataclass

from mgrelax.config import launch_settings, model_of, validate_config
from mgrelax.launch import LaunchSettings
from mgrelax.potentials import Model
from mgrelax.provenance import provenance


@dataclass(frozen=True)
class StepContext:
    config: dict
    model: Model
    launch: LaunchSettings

    def provenance(self, **seeds) -> dict:
        return provenance(self.config, self.model, self.launch, seeds)


def step_context(snakemake) -> StepContext:
    """Context of the Snakemake job running this script (ranks from its resources)."""
    config = validate_config(snakemake.config)
    ranks = getattr(snakemake.resources, "tasks", None)
    return StepContext(config=config, model=model_of(config),
                       launch=launch_settings(config, ranks=ranks))
