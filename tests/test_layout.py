"""The package's layout: a core that launches and reads LAMMPS, one subpackage per stage
with the same modules, imports that follow the data flow (config -> jobs -> records ->
analysis -> summaries -> figures), and every ``mgrelax.`` name the documents cite exists."""

import ast
import importlib
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from conftest import REPO

PACKAGE = REPO / "mgrelax"
STAGES = ("glass", "dms", "scattering", "metad", "art")
STAGE_MODULES = ("jobs", "summary", "figures")
CROSS_STAGE_READERS = {"mgrelax.cost", "mgrelax.validation"}
"""Core modules that read every stage's records (the cost model and the validation)."""
CROSS_STAGE_IMPORTS = {
    ("mgrelax.art.jobs", "mgrelax.metad.jobs"): "ART searches the metadynamics clusters",
    ("mgrelax.dms.displacement", "mgrelax.glass.jobs"): "inherent structures as the glass's",
    ("mgrelax.scattering.jobs", "mgrelax.glass.jobs"): "the frames of a glass hold",
    ("mgrelax.scattering.summary", "mgrelax.dms.summary"): "means over samples as the DMS's",
}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")


SOURCES = [path for folder in ("mgrelax", "analysis") for path in (REPO / folder).rglob("*.py")]


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that ``path`` imports (at any depth of its code)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
            names.add(node.module)
    return {name for name in names if name in known and name != "mgrelax"}


KNOWN = {module_name(path) for path in SOURCES}
MODULES = {module_name(path): imported_modules(path, KNOWN) for path in SOURCES}


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "mgrelax" and len(parts) > 2 and parts[1] in STAGES else None


def test_one_subpackage_per_stage_with_the_same_modules():
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert packages == set(STAGES)
    for stage in STAGES:
        assert {f"mgrelax.{stage}.{name}" for name in STAGE_MODULES} <= set(MODULES), stage
    flat = [path.stem for path in PACKAGE.glob("*.py")
            if any(path.stem.startswith(f"{stage}_") for stage in STAGES)]
    assert flat == [], "stage modules left in the core"


def test_every_package_is_installed():
    """pyproject.toml lists every folder with an __init__.py (a wheel would drop the rest)."""
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    found = {module_name(path) for path in SOURCES if path.name == "__init__.py"}
    assert found <= listed


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_imports(module):
    importlib.import_module(module)


def test_analysis_is_independent_of_the_workflow():
    assert {m: [d for d in deps if d.startswith("mgrelax")] for m, deps in MODULES.items()
            if m.startswith("analysis") and any(d.startswith("mgrelax") for d in deps)} == {}


def test_the_core_imports_no_stage():
    offenders = {module: sorted(d for d in deps if stage_of(d))
                 for module, deps in MODULES.items()
                 if module.startswith("mgrelax") and stage_of(module) is None
                 and module not in CROSS_STAGE_READERS and any(stage_of(d) for d in deps)}
    assert offenders == {}


def test_imports_follow_the_data_flow():
    """Jobs import no summary or figures; figures import no summary; a stage imports
    another only where it reads that stage's results (CROSS_STAGE_IMPORTS)."""
    backwards, across = [], []
    for module, deps in MODULES.items():
        stage = stage_of(module)
        if stage is None:
            continue
        role = module.split(".")[2]
        for dep in deps:
            dep_role = dep.split(".")[2] if stage_of(dep) else "core"
            if (role == "jobs" and dep_role in ("summary", "figures")) or \
                    (role == "figures" and dep_role == "summary"):
                backwards.append((module, dep))
            if stage_of(dep) not in (None, stage) and (module, dep) not in CROSS_STAGE_IMPORTS:
                across.append((module, dep))
    assert backwards == [] and across == []


def cited_names() -> dict[str, list[str]]:
    """Every dotted name under ``mgrelax`` in the repository's text files, with its files."""
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True,
                           check=True).stdout.split()
    cited: dict[str, list[str]] = {}
    for name in files:
        path = REPO / name
        if path.suffix in (".py", ".md", ".rst", ".smk", ".yaml", ".toml") and path.exists():
            for dotted in set(re.findall(r"\bmgrelax(?:\.[A-Za-z_]\w*)+", path.read_text())):
                cited.setdefault(dotted, []).append(name)
    return cited


NOT_PYTHON_NAMES = {"mgrelax.yaml", "mgrelax.verify", "mgrelax.test"}
"""The rules' conda environment file and two logger names."""


def resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for length in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:length]))
            break
        except ImportError:
            continue
    for attribute in parts[length:]:
        if not hasattr(target, attribute):
            return False
        target = getattr(target, attribute)
    return True


def test_every_cited_name_exists():
    """The README, the config reference, the report captions and the docstrings name
    modules, functions and constants that exist."""
    cited = cited_names()
    assert len(cited) > 50
    assert {name: files for name, files in cited.items()
            if name not in NOT_PYTHON_NAMES and not resolves(name)} == {}
