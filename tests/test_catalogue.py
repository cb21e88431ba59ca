"""The Snakemake workflow catalogue's standard: lint and format at zero findings, a
software environment per rule, the .test folder, and use as a module of another workflow."""

import json
from importlib import metadata
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import REPO, TINY_CONFIG, run_snakemake

RULE_FILES = [REPO / "Snakefile", *sorted((REPO / "workflow" / "rules").glob("*.smk"))]
RULE_ENVIRONMENT = REPO / "workflow" / "envs" / "mgrelax.yaml"


def snakemake(workdir: Path, *arguments: str) -> subprocess.CompletedProcess:
    """The real Snakemake on this workflow, in ``workdir``."""
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
               "--directory", str(workdir), *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("configfile", [REPO / "config" / "config.yaml", TINY_CONFIG,
                                        REPO / "config" / "validation.yaml"],
                         ids=lambda path: path.stem)
def test_snakemake_lint_finds_nothing(configfile, tmp_path):
    result = snakemake(tmp_path, "--lint", "--configfile", str(configfile), "--cores", "1")
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-3000:]
    assert "Lints for" not in report, report[-3000:]
    assert "Congratulations, your workflow is in a good condition!" in report


def test_snakefmt_leaves_every_rule_file_unchanged():
    snakefmt = Path(sys.executable).with_name("snakefmt")
    result = subprocess.run([str(snakefmt), "--check", *map(str, RULE_FILES)], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def rules_with_directive(directive: str) -> dict[str, str]:
    """{rule: value of ``directive``} of every rule in the rule files ('' where absent)."""
    rules = {}
    for path in RULE_FILES:
        for block in re.split(r"\n(?=rule \w+:)", path.read_text()):
            name = re.match(r"rule (\w+):", block)
            if name:
                value = re.search(rf"^    {directive}:\n        \"([^\"]+)\"", block, re.M)
                rules[name.group(1)] = value.group(1) if value else ""
    return rules


def test_every_rule_that_runs_code_names_the_rule_environment():
    scripts = {rule for rule, script in rules_with_directive("script").items() if script}
    environments = rules_with_directive("conda")
    assert len(scripts) == 31
    assert {rule: environments[rule] for rule in scripts} == {
        rule: "../envs/mgrelax.yaml" for rule in scripts}
    assert RULE_ENVIRONMENT.is_file()


def conda_packages(environment: dict) -> tuple[list[str], list[str]]:
    """(conda packages, pip requirements) of a conda environment file."""
    conda = [entry for entry in environment["dependencies"] if isinstance(entry, str)]
    pip = next(entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict))
    return conda, pip


def test_the_rule_environment_has_the_packages_of_environment_yml():
    rule_conda, rule_pip = conda_packages(yaml.safe_load(RULE_ENVIRONMENT.read_text()))
    user_conda, user_pip = conda_packages(yaml.safe_load((REPO / "environment.yml").read_text()))
    assert rule_conda == user_conda
    assert rule_pip[:-1] == user_pip[:-1]
    # the workflow's own package, editable from the checkout: pip resolves the path
    # from the folder of the environment file (conda runs pip there)
    assert user_pip[-1] == "-e ." and rule_pip[-1] == "-e ../.."
    project = RULE_ENVIRONMENT.parent / rule_pip[-1].split()[-1] / "pyproject.toml"
    assert tomllib.loads(project.read_text())["project"]["name"] == "mgrelax"


def test_environment_yml_carries_every_dependency_of_the_package():
    conda, pip = conda_packages(yaml.safe_load((REPO / "environment.yml").read_text()))
    provided = {re.split(r"[<>=\[ ]", entry)[0] for entry in conda + pip}
    provided |= {"snakemake"} if "snakemake-minimal" in provided else set()
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    missing = {re.split(r"[<>=\[ ]", dependency)[0] for dependency in dependencies} - provided
    assert not missing
    # the extras the package asks of its dependencies: snakemake[reports] needs pygments
    assert "pygments" in provided


def installed_closure(distribution: str, extras: tuple[str, ...] = ()) -> set[str]:
    """Names of the distributions that installing ``distribution`` with ``extras`` brings
    (itself included), read from the installed packages' metadata."""
    seen, pending = set(), [(distribution, frozenset(extras))]
    while pending:
        name, wanted = pending.pop()
        if (canonicalize_name(name), wanted) in seen:
            continue
        seen.add((canonicalize_name(name), wanted))
        for requirement in map(Requirement, metadata.requires(name) or []):
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": extra}) for extra in wanted | {""}):
                pending.append((requirement.name, frozenset(requirement.extras)))
    return {name for name, _ in seen}


def test_the_main_install_brings_what_the_html_report_needs():
    """`pip install -e .` (the README's main command, no test extra) installs snakemake's
    'reports' extra: without pygments, `snakemake --report` stops after the main run."""
    report_needs = installed_closure("snakemake", ("reports",)) - installed_closure("snakemake")
    assert "pygments" in report_needs
    assert report_needs <= installed_closure("mgrelax")
    assert "pytest" not in installed_closure("mgrelax")  # the closure is the main install's


def test_the_test_folder_holds_the_tiny_campaign_the_catalogue_runs(tmp_path):
    """`snakemake --directory .test` (the catalogue's test run) plans the tiny campaign:
    the same jobs as the tiny config given by hand."""
    shutil.copytree(REPO / ".test", tmp_path / "test_folder")
    from_folder = snakemake(tmp_path / "test_folder", "--dry-run", "--cores", "2")
    by_hand = run_snakemake(tmp_path / "by_hand", "--dry-run")
    assert from_folder.returncode == 0 and by_hand.returncode == 0, from_folder.stderr[-3000:]
    job_table = re.compile(r"job\s+count\n-+\s+-+\n(.*?)\ntotal\s+(\d+)", re.S)
    planned = [job_table.search(run.stdout).groups() for run in (from_folder, by_hand)]
    assert planned[0] == planned[1]


HOST_WORKFLOW = """\
configfile: "{config}"


module mgrelax:
    snakefile:
        "{snakefile}"
    config:
        config


use rule * from mgrelax as mgrelax_*


rule all:
    default_target: True
    input:
        expand(rules.mgrelax_glass_transition.output, sample=0),
"""


def test_another_workflow_runs_the_glass_stage_as_a_module(tiny_campaign, tmp_path):
    """A host workflow that imports this one as a Snakemake module (the README's example)
    runs the tiny glass stage of sample 0 and gets the Tg of the workflow's own run."""
    host = tmp_path / "host"
    host.mkdir()
    (host / "Snakefile").write_text(HOST_WORKFLOW.format(config=TINY_CONFIG,
                                                         snakefile=REPO / "Snakefile"))
    result = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", "--config",
                             "samples=1"], cwd=host, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(r"rule mgrelax_melt:", result.stdout + result.stderr)
    ran = set(re.findall(r"rule (mgrelax_\w+):", result.stdout + result.stderr))
    assert ran == {"mgrelax_melt", "mgrelax_quench", "mgrelax_glass_transition"}
    record = "results/glass/sample0/glass_transition.json"
    through_module = json.loads((host / record).read_text())
    own_run = json.loads((tiny_campaign / record).read_text())
    assert through_module["fits"]["volume"]["tg"] > 0
    assert through_module["fits"] == own_run["fits"]
