"""A LAMMPS job: render the input into its folder, run it, resume it, publish it.

Each job folder holds the rendered ``in.lammps``, ``log.lammps`` (earlier
attempts as ``log.lammps.1``, ...), the data it writes and ``provenance.json``;
``lmp -in in.lammps`` run inside the folder repeats the step by hand.

A result exists only once it is complete: LAMMPS writes every output under a
``.partial`` name, and the outputs are moved to their final names only after
LAMMPS finished without error; ``provenance.json`` is written last.

Long runs write two alternating checkpoints (LAMMPS restart files). A job
started again chooses its start from an ordered list of strategies: the newest
readable checkpoint, then the older one, then a fresh start.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from mgrelax.launch import LaunchSettings, build_command, lammps_instance, lammps_switches, \
    run_environment
from mgrelax.lammps_io import write_json, write_text_atomically
from mgrelax.potentials import Model, resolve_potential_file
from mgrelax.templates import render

INPUT_FILE = "in.lammps"
LOG_FILE = "log.lammps"
PROVENANCE_FILE = "provenance.json"
CHECKPOINT_FILES = ("checkpoint.a.restart", "checkpoint.b.restart")
PARTIAL = ".partial"
FRAMES_DIR = "frames"
FRAME_NAME = re.compile(r"frame\.(\d+)\.dump$")
LOGGER = logging.getLogger(__name__)


class LammpsError(RuntimeError):
    """LAMMPS stopped with an error; the message holds LAMMPS's own ERROR line."""


@dataclass
class LammpsJob:
    """One LAMMPS run of a template in its own folder.

    ``outputs`` maps the template's output names to file names in the folder;
    ``series_file`` is a table LAMMPS appends to during the run (first column
    the time step); ``checkpoint_every`` is the checkpoint interval in steps
    (0: none); ``keep_checkpoints`` keeps them after a finished run, for a run
    that is continued in segments (:func:`drop_checkpoints` removes them);
    ``links`` are files made visible in the folder under the given names (the
    potential file).
    """

    directory: Path
    template: str
    values: dict
    outputs: dict[str, str]
    series_file: str | None = None
    checkpoint_every: int = 0
    keep_checkpoints: bool = False
    links: dict[str, Path] = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Start:
    """Where a run starts: fresh (step 0) or from a checkpoint."""

    step: int = 0
    checkpoint: str | None = None

    @property
    def description(self) -> str:
        if self.checkpoint is None:
            return "fresh start"
        return f"resumed from {self.checkpoint} at step {self.step}"


def run_job(job: LammpsJob, launch: LaunchSettings) -> dict:
    """Run ``job`` to completion (resuming if it can) and return its provenance record."""
    directory = Path(job.directory)
    directory.mkdir(parents=True, exist_ok=True)
    link_files(directory, job.links)
    start = choose_start(job, launch)
    _prepare_partial_outputs(job, start)
    values = {
        **job.values,
        "resume_step": start.step,
        "checkpoint": start.checkpoint,
        "checkpoint_every": job.checkpoint_every,
        "checkpoint_files": CHECKPOINT_FILES,
        "outputs": {name: file + PARTIAL for name, file in job.outputs.items()},
        "series_file": None if job.series_file is None else job.series_file + PARTIAL,
    }
    write_text_atomically(directory / INPUT_FILE, render(job.template, values))
    _keep_earlier_log(directory)
    LOGGER.info("%s: %s (%s); progress in %s", directory, job.template, start.description,
                directory / LOG_FILE)
    began = time.time()
    execute(launch, directory)
    record = {
        **job.provenance,
        "template": job.template,
        "start": start.description,
        "wall_time_s": round(time.time() - began, 3),
        "launch": dataclasses.asdict(launch),
        "command": "in-process (lammps Python module)" if launch.in_process
        else build_command(launch, INPUT_FILE, LOG_FILE),
    }
    _publish(job, record)
    LOGGER.info("%s: finished in %.1f s", directory, record["wall_time_s"])
    return record


def execute(launch: LaunchSettings, directory: Path,
            input_file: str = INPUT_FILE, log_file: str = LOG_FILE) -> None:
    """Run one input in ``directory``; raise :class:`LammpsError` with LAMMPS's ERROR line."""
    if launch.in_process:
        _execute_in_process(launch, directory, input_file, log_file)
        return
    command = build_command(launch, input_file, log_file)
    result = subprocess.run(command, cwd=directory, env=run_environment(launch),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        raise LammpsError(f"{directory}: {error_line(directory / log_file, result.stdout)}")


def _execute_in_process(launch: LaunchSettings, directory: Path, input_file: str,
                        log_file: str) -> None:
    switches = lammps_switches(launch, input_file, log_file)
    del switches[:2]  # "-in input": the file is read with lmp.file() below
    os.environ["OMP_NUM_THREADS"] = str(launch.threads_per_rank)
    with contextlib.chdir(directory):
        lmp = lammps_instance(switches)
        try:
            lmp.file(input_file)
        except Exception as error:  # the lammps module raises a plain Exception
            raise LammpsError(f"{directory}: {str(error).splitlines()[0]}") from None
        finally:
            lmp.close()


def error_line(log: Path, output: str = "") -> str:
    """LAMMPS's first ERROR line from the log (or the process output), else the output's tail."""
    texts = [log.read_text(errors="replace") if log.exists() else "", output]
    for text in texts:
        for line in text.splitlines():
            if line.startswith("ERROR"):
                return line.strip()
    tail = output.strip().splitlines()[-5:]
    return "LAMMPS failed without an ERROR line: " + " | ".join(tail)


def choose_start(job: LammpsJob, launch: LaunchSettings) -> Start:
    """The first strategy that works: newest checkpoint, older checkpoint, fresh start."""
    directory = Path(job.directory)
    checkpoints = sorted((directory / name for name in CHECKPOINT_FILES
                          if (directory / name).is_file()),
                         key=lambda path: path.stat().st_mtime, reverse=True)
    for checkpoint in checkpoints:
        step = checkpoint_step(checkpoint, job.values, launch)
        if step is not None and step > 0:
            return Start(step=step, checkpoint=checkpoint.name)
    return Start()


def checkpoint_step(checkpoint: Path, values: dict, launch: LaunchSettings) -> int | None:
    """Time step stored in a checkpoint, or None when LAMMPS cannot read it."""
    probe_dir = checkpoint.parent / "probe"
    probe_dir.mkdir(exist_ok=True)
    step_file = probe_dir / "step.txt"
    step_file.unlink(missing_ok=True)
    script = render("probe_restart.lammps", {**values, "checkpoint": f"../{checkpoint.name}",
                                             "outputs": {"step": step_file.name}})
    (probe_dir / INPUT_FILE).write_text(script)
    try:
        execute(dataclasses.replace(launch, ranks=1), probe_dir)
        return int(step_file.read_text().split()[0])
    except (LammpsError, OSError, ValueError, IndexError):
        return None
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)


def _prepare_partial_outputs(job: LammpsJob, start: Start) -> None:
    """Remove stale partial outputs; on resume, cut the series and frames back to the checkpoint."""
    directory = Path(job.directory)
    for file in job.outputs.values():
        (directory / (file + PARTIAL)).unlink(missing_ok=True)
    if job.series_file is not None:
        series = directory / (job.series_file + PARTIAL)
        if start.checkpoint is None:
            series.unlink(missing_ok=True)
        elif series.exists():
            truncate_series(series, start.step)
    frames = directory / FRAMES_DIR
    if job.values.get("frames_every", 0) > 0:
        frames.mkdir(exist_ok=True)
    for frame in frames.glob("frame.*.dump"):
        match = FRAME_NAME.match(frame.name)
        if match and (start.checkpoint is None or int(match.group(1)) > start.step):
            frame.unlink()


def truncate_series(path: Path, last_step: int) -> None:
    """Keep comments and the rows up to ``last_step``, the checkpoint the run resumes from."""
    kept = [line for line in path.read_text().splitlines(keepends=True)
            if line.startswith("#") or (line.strip() and int(line.split()[0]) <= last_step)]
    write_text_atomically(path, "".join(kept))


def _publish(job: LammpsJob, record: dict) -> None:
    """Move partial outputs into place, drop checkpoints, then write the provenance."""
    directory = Path(job.directory)
    finals = dict(job.outputs)
    if job.series_file is not None:
        finals["series"] = job.series_file
    for name, file in finals.items():
        partial = directory / (file + PARTIAL)
        if not partial.exists():
            raise LammpsError(f"{directory}: LAMMPS finished but did not write {name} ({file})")
        os.replace(partial, directory / file)
    if not job.keep_checkpoints:
        drop_checkpoints(directory)
    write_json(directory / PROVENANCE_FILE, record)


def drop_checkpoints(directory: Path) -> None:
    """Remove a job's checkpoints, and files written beside them (Colvars's state),
    once nothing will resume from them."""
    for name in CHECKPOINT_FILES:
        for path in Path(directory).glob(name + "*"):
            path.unlink()


def _keep_earlier_log(directory: Path) -> None:
    log = directory / LOG_FILE
    if log.exists():
        attempt = 1
        while (directory / f"{LOG_FILE}.{attempt}").exists():
            attempt += 1
        os.replace(log, directory / f"{LOG_FILE}.{attempt}")


def link_potential(directory: Path, model: Model) -> Path | None:
    """Make the model's potential file visible in ``directory``; return it (None: no file)."""
    potential = resolve_potential_file(model)
    if potential is not None:
        link_files(directory, {potential.name: potential})
    return potential


def link_files(directory: Path, links: dict[str, Path]) -> None:
    """Make each target visible in ``directory`` under its name (a symbolic link)."""
    for name, target in links.items():
        link = directory / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(Path(target).resolve())


