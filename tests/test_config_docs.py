"""config/README.md, the configuration reference, is what the schema says now: every key
with a description, and defaults and bounds that validate_config applies."""

import copy
import re

import pytest
import yaml

from conftest import REPO, TINY_CONFIG
from mgrelax.config import ConfigError, load_schema, validate_config
from mgrelax.config_docs import REGENERATE, config_reference
from mgrelax.plan import setting
from test_config import with_change

REFERENCE = REPO / "config" / "README.md"
CELL_SEPARATOR = re.compile(r"(?<!\\)\|")
NUMBER_STEP = 1e-3
"""How far beyond (or within) a documented bound of a number the probes go."""


def layers(node: dict, schema: dict) -> list[dict]:
    """``node`` and the definitions its $ref chain points to (JSON pointers into schema)."""
    if "$ref" not in node:
        return [node]
    target = schema
    for part in node["$ref"].removeprefix("#/").split("/"):
        target = target[part]
    return [node, *layers(target, schema)]


def schema_keys(node: dict, schema: dict, key: str = "", found: dict | None = None) -> dict:
    """Every dotted key below ``node`` (items of a list of objects as ``key[]``), each
    with the subschemas that apply to it."""
    found = {} if found is None else found
    for layer in layers(node, schema):
        for name, child in layer.get("properties", {}).items():
            child_key = f"{key}.{name}" if key else name
            found.setdefault(child_key, []).extend(layers(child, schema))
            schema_keys(child, schema, child_key, found)
        if isinstance(layer.get("items"), dict):
            schema_keys(layer["items"], schema, f"{key}[]", found)
    return found


def documented_row(key: str) -> dict:
    """The cells of the reference's row of ``key``, by column."""
    lines = REFERENCE.read_text().splitlines()
    row = next(line for line in lines if line.startswith(f"| `{key}` |"))
    cells = [cell.strip().replace(r"\|", "|") for cell in CELL_SEPARATOR.split(row)[1:-1]]
    return dict(zip(("key", "type", "default", "allowed", "description"), cells))


def documented_bounds(allowed: str) -> list[tuple[str, float]]:
    """(operator, limit) of an 'allowed values' cell such as '1 to 3' or '> 0 and <= 0.2'."""
    both = re.fullmatch(r"(\S+) to (\S+)", allowed)
    if both:
        return [(">=", yaml.safe_load(both[1])), ("<=", yaml.safe_load(both[2]))]
    return [(operator, yaml.safe_load(limit))
            for operator, limit in re.findall(r"(>=|>|<=|<) (\S+)", allowed)]


def inside_and_outside(operator: str, limit, step) -> tuple:
    """A value just within the bound and one just beyond it."""
    below, above = limit - step, limit + step
    return {">=": (limit, below), ">": (above, limit),
            "<=": (limit, above), "<": (below, limit)}[operator]


def without(config: dict, key: str) -> dict:
    """``config`` with ``key`` (dotted) left out."""
    config = copy.deepcopy(config)
    *parents, last = key.split(".")
    section = config
    for name in parents:
        section = section.get(name, {})
    section.pop(last, None)
    return config


def test_reference_is_current():
    assert REFERENCE.read_text() == config_reference(load_schema()), (
        f"config/README.md is out of date with the schema; regenerate it: {REGENERATE}")


def test_every_key_is_documented_and_described():
    schema = load_schema()
    keys = schema_keys(schema, schema)
    reference = REFERENCE.read_text()
    assert len(keys) > 200
    missing = [key for key in keys
               if f"| `{key}` |" not in reference and f"\n## `{key}`\n" not in reference]
    undescribed = [key for key, subschemas in keys.items()
                   if not any(str(subschema.get("description", "")).strip()
                              for subschema in subschemas)]
    assert not missing, f"keys missing from config/README.md: {missing}"
    assert not undescribed, f"keys without a description in the schema: {undescribed}"


@pytest.mark.parametrize("key", ["samples", "dms.amplitude", "melt.packing_factor"])
def test_documented_default_and_bounds_are_validated(key):
    tiny = yaml.safe_load(TINY_CONFIG.read_text())
    row = documented_row(key)
    default = yaml.safe_load(row["default"].strip("`"))
    assert setting(validate_config(without(tiny, key)), key) == default
    step = 1 if row["type"] == "integer" else NUMBER_STEP
    bounds = documented_bounds(row["allowed"])
    assert bounds, f"{key}: no bound in {row['allowed']!r}"
    for operator, limit in bounds:
        inside, outside = inside_and_outside(operator, limit, step)
        assert setting(validate_config(with_change(tiny, key, inside)), key) == inside
        with pytest.raises(ConfigError, match=re.escape(key)):
            validate_config(with_change(tiny, key, outside))
