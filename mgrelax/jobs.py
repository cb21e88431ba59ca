"""A LAMMPS job: render the input into its folder, run it, resume it, publish it.

Each job folder holds the rendered ``in.lammps``, ``log.lammps`` (earlier
attempts as ``log.lammps.1``, ...), the data it writes and ``provenance.json``;
``lmp -in in.lammps`` run inside the folder repeats the step by hand.

A result exists only once it is complete: LAMMPS writes every output under a
``.partial`` name, and the outputs are moved to their final names only after
LAMMPS finished without error; ``provenance.json`` is written last.

Long runs write two alternating checkpoints (LAMMPS restart files) and, beside
them, the fingerprint of the run they continue (``checkpoint.fingerprint.json``:
the SHA-256 of the rendered input as a fresh start, of every input file in the
folder, and the LAMMPS build). A job started again chooses its start from an
ordered list of strategies: the newest readable checkpoint, then the older one,
then a fresh start; a checkpoint is used only when its fingerprint equals the
job's, else the run starts fresh and its provenance says why. A fresh start
clears the folder of everything an earlier run left (results, checkpoints, the
folders of steps derived from them), so a folder never mixes two runs.

Every job holds an exclusive lock on its folder (``.job.lock``, an OS file lock)
while it runs: a second process on the same folder stops at once, naming the
holder.

Work that is not one LAMMPS run (ART searches, NEBs, minimisations one after another)
reports in the job's log through :class:`Progress`: a line as each task starts and ends,
with the time elapsed and an estimate of the time left, and lines while a long task runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from datetime import datetime, timezone
from dataclasses import dataclass, field
from pathlib import Path

from mgrelax.lammps_io import write_json, write_text_atomically
from mgrelax.launch import LaunchSettings, build_command, lammps_instance, lammps_switches, \
    run_environment
from mgrelax.plan import lammps_timestep, steps_for
from mgrelax.potentials import Model, resolve_potential_file, sha256_of, template_values
from mgrelax.templates import render

INPUT_FILE = "in.lammps"
LOG_FILE = "log.lammps"
PROVENANCE_FILE = "provenance.json"
CHECKPOINT_FILES = ("checkpoint.a.restart", "checkpoint.b.restart")
FINGERPRINT_FILE = "checkpoint.fingerprint.json"
LOCK_FILE = ".job.lock"
PARTIAL = ".partial"
FRAMES_DIR = "frames"
FRAME_NAME = re.compile(r"frame\.(\d+)\.dump$")
LOGGER = logging.getLogger(__name__)
PROGRESS_EVERY = 10.0
"""Seconds of wall time between the progress lines of a task while it runs."""


class LammpsError(RuntimeError):
    """LAMMPS stopped with an error; the message holds LAMMPS's own ERROR line."""


class JobFolderBusy(RuntimeError):
    """Another process holds the job folder's lock (one line: the folder and the holder)."""


@dataclass
class LammpsJob:
    """One LAMMPS run of a template in its own folder.

    ``outputs`` maps the template's output names to file names in the folder;
    ``series_file`` is a table LAMMPS appends to during the run (first column
    the time step); ``checkpoint_every`` is the checkpoint interval in steps
    (0: none); ``keep_checkpoints`` keeps them after a finished run, for a run
    that is continued in segments (:func:`drop_checkpoints` removes them), and
    ``run_length_values`` names the values that grow from segment to segment (left
    out of the fingerprint); ``links`` are files made visible in the folder under
    the given names (the potential file).
    """

    directory: Path
    template: str
    values: dict
    outputs: dict[str, str]
    series_file: str | None = None
    checkpoint_every: int = 0
    keep_checkpoints: bool = False
    run_length_values: tuple[str, ...] = ()
    links: dict[str, Path] = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Start:
    """Where a run starts: fresh (step 0, ``reason`` why no checkpoint was used) or
    from a checkpoint."""

    step: int = 0
    checkpoint: str | None = None
    reason: str = ""

    @property
    def description(self) -> str:
        if self.checkpoint is not None:
            return f"resumed from {self.checkpoint} at step {self.step}"
        return f"fresh start ({self.reason})" if self.reason else "fresh start"


class Progress:
    """Progress lines of ``total`` tasks of one job (ART searches, NEBs, minimisations),
    logged at INFO through ``logger`` (the job's log, whose handler flushes each line,
    so ``tail -f`` follows it): one as each task starts, at most one per ``every``
    seconds while it runs (:meth:`update`), and one as it ends with its time, the time
    since this object was made and the time left estimated from the mean time of the
    tasks ended here. ``label`` names the tasks ("sample 0 batch 1 search"); ``done``
    tasks were done by an earlier attempt (counted, not timed)."""

    def __init__(self, logger: logging.Logger, label: str, total: int, done: int = 0,
                 every: float = PROGRESS_EVERY):
        self.logger, self.label, self.total, self.every = logger, label, total, every
        self.number, self.ended = done, 0
        self.began = self.task_began = self.last_line = time.monotonic()

    def start(self, detail: str) -> None:
        """The line of the next task's start (``detail``: what it is)."""
        self.number += 1
        self.task_began = self.last_line = time.monotonic()
        self.logger.info("%s %d/%d started: %s", self.label, self.number, self.total, detail)

    def update(self, describe: Callable[[], str]) -> None:
        """A line on the running task (``describe()``), if ``every`` seconds passed since
        the last line; ``describe`` is called only then."""
        now = time.monotonic()
        if now - self.last_line >= self.every:
            self.last_line = now
            self.logger.info("%s %d/%d, %s in: %s", self.label, self.number, self.total,
                             duration(now - self.task_began), describe())

    def finish(self, outcome: str) -> None:
        """The line of the task's end: ``outcome`` follows its number, then the times."""
        now = time.monotonic()
        self.ended += 1
        left = (now - self.began) / self.ended * (self.total - self.number)
        self.logger.info("%s %d/%d %s; took %s, %s elapsed, about %s left", self.label,
                         self.number, self.total, outcome, duration(now - self.task_began),
                         duration(now - self.began), duration(left))


def duration(seconds: float) -> str:
    """``seconds`` in s, min or h, as a person reads a duration."""
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def run_job(job: LammpsJob, launch: LaunchSettings) -> dict:
    """Run ``job`` to completion (resuming if it can) and return its provenance record."""
    directory = Path(job.directory)
    directory.mkdir(parents=True, exist_ok=True)
    with job_folder_lock(directory):
        link_files(directory, job.links)
        _undo_interrupted_publish(job)
        fingerprint = run_fingerprint(job)
        start = choose_start(job, launch, fingerprint)
        if start.checkpoint is None:
            clear_earlier_run(job)
            if job.checkpoint_every > 0:
                write_json(directory / FINGERPRINT_FILE, fingerprint)
        _prepare_partial_outputs(job, start)
        script = render(job.template, input_values(job, start))
        write_text_atomically(directory / INPUT_FILE, f"# {start.description}\n{script}")
        _keep_earlier_log(directory)
        LOGGER.info("%s: %s (%s); progress in %s", directory, job.template, start.description,
                    directory / LOG_FILE)
        began = time.time()
        execute(launch, directory)
        record = {
            **job.provenance,
            "template": job.template,
            "start": start.description,
            "fingerprint": fingerprint,
            "wall_time_s": round(time.time() - began, 3),
            "launch": dataclasses.asdict(launch),
            "command": "in-process (lammps Python module)" if launch.in_process
            else build_command(launch, INPUT_FILE, LOG_FILE),
        }
        _publish(job, record, start)
    LOGGER.info("%s: finished in %.1f s", directory, record["wall_time_s"])
    return record


def input_values(job: LammpsJob, start: Start) -> dict:
    """The values the template is rendered with for a run that begins at ``start``."""
    return {
        **job.values,
        "resume_step": start.step,
        "checkpoint": start.checkpoint,
        "checkpoint_every": job.checkpoint_every,
        "checkpoint_files": CHECKPOINT_FILES,
        "outputs": {name: file + PARTIAL for name, file in job.outputs.items()},
        "series_file": None if job.series_file is None else job.series_file + PARTIAL,
    }


def run_fingerprint(job: LammpsJob) -> dict:
    """What a checkpoint of ``job`` continues: SHA-256 of the input rendered as a fresh
    start (without the values in ``run_length_values``) and of each input file in the
    folder, and the LAMMPS build (version, packages, source)."""
    values = {**input_values(job, Start()), **dict.fromkeys(job.run_length_values)}
    script = render(job.template, values)
    directory = Path(job.directory)
    return {"template": job.template,
            "input_sha256": hashlib.sha256(script.encode()).hexdigest(),
            "input_files": {name: sha256_of(directory / name) for name in input_files(job)},
            "lammps_build": job.provenance.get("lammps")}


def input_files(job: LammpsJob) -> list[str]:
    """Files of the folder the run reads: the links and the files that values name."""
    directory = Path(job.directory)
    named = {value for value in job.values.values()
             if isinstance(value, str) and value and (directory / value).is_file()}
    return sorted(named | set(job.links))


def fingerprint_change(stored: dict, current: dict) -> str:
    """What differs between two fingerprints, in words ('' when they are equal)."""
    changes = []
    if stored.get("template") != current["template"] or \
            stored.get("input_sha256") != current["input_sha256"]:
        changes.append("the input script")
    stored_files = stored.get("input_files", {})
    names = sorted(set(stored_files) | set(current["input_files"]))
    changes += [f"input file {name}" for name in names
                if stored_files.get(name) != current["input_files"].get(name)]
    if stored.get("lammps_build") != current["lammps_build"]:
        changes.append("the LAMMPS build")
    return ", ".join(changes)


@contextlib.contextmanager
def job_folder_lock(directory: Path):
    """Hold the exclusive lock of a job folder; :class:`JobFolderBusy` at once when another
    process holds it. Nested use in the holding process (a run continued in segments)
    keeps the lock until the outermost use ends."""
    directory = Path(directory).resolve()
    if directory in _HELD_LOCKS:
        yield
        return
    with open(directory / LOCK_FILE, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "an unknown process"
            raise JobFolderBusy(f"{directory}: this job folder is in use by {holder}; wait for "
                                "that run to finish (or stop it) and run again") from None
        handle.truncate(0)
        handle.write(f"pid {os.getpid()} on {platform.node()} since "
                     f"{datetime.now(timezone.utc).isoformat(timespec='seconds')}\n")
        handle.flush()
        _HELD_LOCKS.add(directory)
        try:
            yield
        finally:
            _HELD_LOCKS.discard(directory)  # closing the file then releases the lock


_HELD_LOCKS: set[Path] = set()
"""Job folders whose lock this process holds."""


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


def choose_start(job: LammpsJob, launch: LaunchSettings, fingerprint: dict | None = None) -> Start:
    """The first strategy that works: newest checkpoint, older checkpoint, fresh start.

    Checkpoints are used only when the fingerprint stored beside them equals the
    job's (``fingerprint``, computed when not given)."""
    directory = Path(job.directory)
    checkpoints = sorted((directory / name for name in CHECKPOINT_FILES
                          if (directory / name).is_file()),
                         key=lambda path: path.stat().st_mtime, reverse=True)
    if not checkpoints:
        return Start()
    stored = directory / FINGERPRINT_FILE
    if not stored.is_file():
        return Start(reason="checkpoint without a fingerprint discarded")
    change = fingerprint_change(json.loads(stored.read_text()), fingerprint or run_fingerprint(job))
    if change:
        return Start(reason=f"checkpoint of another run discarded: {change} changed")
    for checkpoint in checkpoints:
        step = checkpoint_step(checkpoint, job.values, launch)
        if step is not None and step > 0:
            return Start(step=step, checkpoint=checkpoint.name)
    return Start(reason="no readable checkpoint")


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


def clear_earlier_run(job: LammpsJob) -> None:
    """Before a fresh start, remove what earlier runs left in the folder (their results,
    checkpoints, partial files and the folders of steps derived from them); keep the
    logs, the lock and the files the run reads."""
    directory = Path(job.directory)
    kept = {LOCK_FILE, *input_files(job)}
    removed = []
    for entry in sorted(directory.iterdir()):
        if entry.name in kept or entry.name.startswith(LOG_FILE):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
        removed.append(entry.name)
    if removed:
        LOGGER.info("%s: removed what an earlier run left: %s", directory, ", ".join(removed))


def _prepare_partial_outputs(job: LammpsJob, start: Start) -> None:
    """Remove stale partial outputs; on resume, cut the series and frames back to the checkpoint."""
    directory = Path(job.directory)
    for file in job.outputs.values():
        (directory / (file + PARTIAL)).unlink(missing_ok=True)
    series = None if job.series_file is None else directory / (job.series_file + PARTIAL)
    if series is not None and start.checkpoint is not None and series.exists():
        truncate_series(series, start.step)
    frames = directory / FRAMES_DIR
    if job.values.get("frames_every", 0) > 0:
        frames.mkdir(exist_ok=True)
    for frame in frames.glob("frame.*.dump"):
        match = FRAME_NAME.match(frame.name)
        if match and int(match.group(1)) > start.step:
            frame.unlink()


def truncate_series(path: Path, last_step: int) -> None:
    """Keep comments and the rows up to ``last_step``, the checkpoint the run resumes from."""
    kept = [line for line in path.read_text().splitlines(keepends=True)
            if line.startswith("#") or (line.strip() and int(line.split()[0]) <= last_step)]
    write_text_atomically(path, "".join(kept))


def drop_repeated_steps(path: Path) -> None:
    """Keep the first row of each time step. A run resumed at a step where a record
    of a single sample falls writes that step's row again (the first is kept)."""
    lines, last_step = [], None
    for line in path.read_text().splitlines(keepends=True):
        if not line.startswith("#") and line.strip():
            step = int(line.split()[0])
            if last_step is not None and step <= last_step:
                continue
            last_step = step
        lines.append(line)
    write_text_atomically(path, "".join(lines))


def _final_files(job: LammpsJob) -> dict[str, str]:
    """{name: file} of the outputs a finished run publishes (the series among them)."""
    finals = dict(job.outputs)
    if job.series_file is not None:
        finals["series"] = job.series_file
    return finals


def _undo_interrupted_publish(job: LammpsJob) -> None:
    """A run killed while it published (outputs moved, no provenance written yet) is not
    complete: its moved outputs become partial again, so a resume continues them."""
    directory = Path(job.directory)
    if (directory / PROVENANCE_FILE).exists():
        return
    for file in _final_files(job).values():
        final, partial = directory / file, directory / (file + PARTIAL)
        if final.exists() and not partial.exists():
            os.replace(final, partial)


def _publish(job: LammpsJob, record: dict, start: Start) -> None:
    """Move partial outputs into place, drop checkpoints, then write the provenance with
    the SHA-256 of every published output (:func:`changed_outputs` checks them)."""
    directory = Path(job.directory)
    finals = _final_files(job)
    if job.series_file is not None and start.checkpoint is not None:
        drop_repeated_steps(directory / (job.series_file + PARTIAL))
    for name, file in finals.items():
        partial = directory / (file + PARTIAL)
        if not partial.exists():
            raise LammpsError(f"{directory}: LAMMPS finished but did not write {name} ({file})")
        os.replace(partial, directory / file)
    if not job.keep_checkpoints:
        drop_checkpoints(directory)
    record["outputs_sha256"] = {file: sha256_of(directory / file) for file in finals.values()}
    write_json(directory / PROVENANCE_FILE, record)


def changed_outputs(directory: Path) -> list[str]:
    """Published outputs of the job in ``directory`` that are missing or no longer match
    the SHA-256 in its provenance, one line each."""
    directory = Path(directory)
    record = json.loads((directory / PROVENANCE_FILE).read_text())
    problems = []
    for file, digest in record.get("outputs_sha256", {}).items():
        path = directory / file
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif sha256_of(path) != digest:
            problems.append(f"{path}: changed since the run (SHA-256 differs)")
    return problems


def drop_checkpoints(directory: Path) -> None:
    """Remove a job's checkpoints, and files written beside them (Colvars's state),
    once nothing will resume from them."""
    for name in CHECKPOINT_FILES:
        for path in Path(directory).glob(name + "*"):
            path.unlink()
    (Path(directory) / FINGERPRINT_FILE).unlink(missing_ok=True)


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


def common_values(config: dict, model: Model, potential: Path | None) -> dict:
    """Template values every MD job shares: units, time step, model, thermostat, output."""
    units = model.units
    dt = lammps_timestep(config, model)
    return {
        "units": units.lammps_style,
        "timestep": dt,
        "model": template_values(model, None if potential is None else potential.name),
        "pressure": float(config["pressure"]),
        "pressure_unit": units.pressure,
        "temperature_unit": units.temperature,
        "thermostat_damping": float(config["thermostat_damping"]),
        "barostat_damping": float(config["barostat_damping"]),
        "thermo_every": max(1, steps_for(config["thermo_interval"], config, model)),
        "extra_series": [],
        "frames_every": 0,
        "unwrapped_frames": False,
    }


def relative_path(path: Path, directory: Path) -> str:
    """``path`` as seen from ``directory`` (rendered inputs hold no absolute paths)."""
    return os.path.relpath(Path(path).resolve(), Path(directory).resolve())
