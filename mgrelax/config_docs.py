"""The configuration reference, config/README.md, generated from the config schema.

    python -m mgrelax.config_docs > config/README.md

One table per top-level section of ``workflow/schemas/config.schema.yaml``, a row per
key (nested keys dotted, items of a list of objects as ``key[].name``): its type,
default, allowed values and description.
"""

from __future__ import annotations

from pathlib import Path

from mgrelax.config import SCHEMA_FILE, load_schema

CONFIG_FOLDER = SCHEMA_FILE.parents[2] / "config"
REGENERATE = "python -m mgrelax.config_docs > config/README.md"
COLUMNS = ("key", "type", "default", "allowed values", "description")
BOUND_SYMBOLS = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=",
                 "exclusiveMaximum": "<"}
PYTHON_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number",
                type(None): "null"}


def config_reference(schema: dict) -> str:
    """Markdown reference of every key that ``schema`` defines."""
    defs = schema.get("$defs", {})
    top_level, sections = [], []
    for name, node in schema["properties"].items():
        node = resolved(node, defs)
        if "properties" in node:
            sections.append(_section(name, node, defs))
        else:
            top_level.append(_row(name, node, schema.get("required", [])))
    return "\n\n".join([_header(schema), "## Top level", _table(top_level), *sections]) + "\n"


def resolved(node: dict, defs: dict) -> dict:
    """``node`` with the definition its ``$ref`` names merged in: its own keywords win,
    and the properties of both are merged name by name."""
    if "$ref" not in node:
        return node
    target = resolved(defs[node["$ref"].removeprefix("#/$defs/")], defs)
    own = {keyword: value for keyword, value in node.items() if keyword != "$ref"}
    target_properties, own_properties = target.get("properties", {}), own.get("properties", {})
    merged = {**target, **own}
    if target_properties or own_properties:
        merged["properties"] = {name: {**target_properties.get(name, {}),
                                       **own_properties.get(name, {})}
                                for name in {**target_properties, **own_properties}}
    return merged


def _header(schema: dict) -> str:
    """What the file is and how it is made, the units, the config files of config/."""
    files = [(f"`{path.name}`", _purpose(path)) for path in sorted(CONFIG_FOLDER.glob("*.yaml"))]
    return "\n\n".join([
        "# Configuration reference",
        "Every key of the workflow's configuration: its type, default, allowed values and "
        "meaning. Generated from `workflow/schemas/config.schema.yaml` by "
        f"`{REGENERATE}`; do not edit it by hand, change the schema and regenerate it "
        "(`tests/test_config_docs.py` fails while it is out of date). "
        "`mgrelax.config.validate_config` fills in the defaults and refuses what is not "
        "allowed, including what a schema cannot express (e.g. temperatures in order, "
        "the composition summing to 1).",
        " ".join(schema["description"].split()),
        "The config files in this folder (`snakemake --configfile config/<file>`; "
        "`config.yaml` without one):",
        _table(files, ("file", "purpose")),
    ])


def _purpose(path: Path) -> str:
    """The first comment line of a config file, cut before a bracket it leaves open."""
    lines = path.read_text().splitlines()
    text = next((line.lstrip("#").strip() for line in lines if line.startswith("#")), "")
    if text.count("(") > text.count(")"):
        text = text[:text.rfind("(")]
    return text.rstrip(",;: ") + ("" if text.endswith(".") else " …")


def _section(name: str, node: dict, defs: dict) -> str:
    """The heading, description and table of the top-level object ``name``."""
    description = " ".join(node.get("description", "").split())
    return "\n\n".join(part for part in (f"## `{name}`", description,
                                         _table(list(_rows(name, node, defs)))) if part)


def _rows(key: str, node: dict, defs: dict):
    """The rows of the keys below ``key`` (whose schema is ``node``), depth first."""
    for name, child in node.get("properties", {}).items():
        child = resolved(child, defs)
        child_key = f"{key}.{name}"
        yield _row(child_key, child, node.get("required", []))
        yield from _rows(child_key, child, defs)
        items = resolved(child.get("items", {}), defs)
        yield from _rows(f"{child_key}[]", items, defs)


def _row(key: str, node: dict, required: list) -> tuple:
    """The cells of one key: key, type, default ('required' if it must be given), allowed
    values, description."""
    name = key.rsplit(".", 1)[-1]
    default = (f"`{_yaml(node['default'])}`" if "default" in node
               else "required" if name in required else "")
    return (f"`{key}`", _type(node), default, _allowed(node), node.get("description", ""))


def _table(rows: list, columns: tuple = COLUMNS) -> str:
    """A Markdown table of ``rows`` under ``columns``."""
    lines = [columns, ("---",) * len(columns), *rows]
    return "\n".join("| " + " | ".join(map(_cell, line)) + " |" for line in lines)


def _cell(text: str) -> str:
    """One line, its pipes escaped (also inside code spans, as GitHub tables need)."""
    return " ".join(str(text).split()).replace("|", r"\|")


def _type(node: dict) -> str:
    """The value's type in words: 'number or null', 'list of number', ..."""
    alternatives = node.get("oneOf") or node.get("anyOf")
    if alternatives:
        return " or ".join(dict.fromkeys(_type(alternative) for alternative in alternatives))
    if "enum" in node and "type" not in node:
        return " or ".join(dict.fromkeys(PYTHON_TYPES[type(value)] for value in node["enum"]))
    types = node.get("type", [])
    return " or ".join(_single_type(name, node) for name in
                       ([types] if isinstance(types, str) else types))


def _single_type(name: str, node: dict) -> str:
    if name == "array":
        return f"list of {_type(node.get('items', {}))}"
    if name == "object" and isinstance(node.get("additionalProperties"), dict):
        return f"mapping of name to {_type(node['additionalProperties'])}"
    return name


def _allowed(node: dict) -> str:
    """The values allowed: bounds, enum, pattern, item counts, limits of each item."""
    alternatives = node.get("oneOf") or node.get("anyOf")
    if alternatives:
        return "one of: " + "; ".join(_alternative(alternative) for alternative in alternatives)
    parts = [_bounds(node)]
    if "enum" in node:
        parts.append(", ".join(f"`{_yaml(value)}`" for value in node["enum"]))
    if "pattern" in node:
        parts.append(f"matching `{node['pattern']}`")
    parts += _count_parts(node)
    members = node.get("items", node.get("additionalProperties"))
    if isinstance(members, dict) and _allowed(members):
        parts.append(f"each {_allowed(members)}")
    return ", ".join(part for part in parts if part)


def _alternative(node: dict) -> str:
    """One of the alternatives of a oneOf / anyOf: its values, or its type (and limits)."""
    if "enum" in node:
        return _allowed(node)
    allowed = _allowed(node)
    return f"{_type(node)} ({allowed})" if allowed else _type(node)


def _bounds(node: dict) -> str:
    """The numeric limits: '0 to 1' where both are inclusive, else e.g. '> 0 and <= 0.2'."""
    if "minimum" in node and "maximum" in node:
        return f"{_yaml(node['minimum'])} to {_yaml(node['maximum'])}"
    return " and ".join(f"{symbol} {_yaml(node[keyword])}"
                        for keyword, symbol in BOUND_SYMBOLS.items() if keyword in node)


def _count_parts(node: dict) -> list[str]:
    """The limits on the number of items (list) or entries (mapping), and distinctness."""
    noun = "entry" if node.get("type") == "object" else "item"
    least = node.get("minItems", node.get("minProperties"))
    most = node.get("maxItems", node.get("maxProperties"))
    if least is not None and least == most:
        counts = [_counted(least, noun)]
    else:
        counts = [f"{limit} {_counted(count, noun)}"
                  for limit, count in (("at least", least), ("at most", most))
                  if count is not None]
    return counts + (["distinct"] if node.get("uniqueItems") else [])


def _counted(count: int, noun: str) -> str:
    plural = "entries" if noun == "entry" else "items"
    return f"{count} {noun if count == 1 else plural}"


def _yaml(value) -> str:
    """``value`` as YAML writes it and reads it back (a float with a point and a signed
    exponent, 1.0e+13, as the config files need)."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(_yaml, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_yaml(item)}" for key, item in value.items()) + "}"
    return str(value)


def _float(value: float) -> str:
    """Shortest exact form, with a point in the mantissa (YAML reads 1e+13 as text)."""
    short = f"{value:g}"
    mantissa, _, exponent = (short if float(short) == value else repr(value)).partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return f"{mantissa}e{exponent}" if exponent else mantissa


def main() -> None:
    """Print the reference (``python -m mgrelax.config_docs > config/README.md``)."""
    print(config_reference(load_schema()), end="")


if __name__ == "__main__":
    main()
