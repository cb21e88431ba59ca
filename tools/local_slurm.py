"""A one-node SLURM cluster on this machine, for trying and testing the SLURM profile.

    sudo python tools/local_slurm.py up [--state-dir DIR] [--install]
    snakemake --workflow-profile workflow/profiles/slurm --slurm-status-command squeue ...
    sudo python tools/local_slurm.py down [--state-dir DIR]

Debian's slurm-wlm daemons (slurmctld, slurmd, munge) run as root without systemd
or cgroups (proctrack/linuxproc, task/affinity), with the node line that
``slurmd -C`` reads off this machine. The config goes where every SLURM command
looks for it, /etc/slurm/slurm.conf (the SLURM plugin drops SLURM_CONF from the
environment of its job steps), and is refused when a slurm.conf that this script
did not write is there; state, logs and pid files stay in the state folder.

There is no accounting database, so ``sacct`` fails: the Snakemake SLURM plugin
must poll with ``squeue`` (``--slurm-status-command squeue``), which is why
MinJobAge, how long finished jobs stay visible to ``squeue``, is set to an hour.

Exit status: 0 on success, 1 on an error, 77 when the cluster cannot be started on
this machine at all (not root, no packages and no apt-get); the reason is printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from debian_packages import CannotInstall, apt_install

PACKAGES = ["slurmctld", "slurmd", "slurm-client", "munge"]
DEFAULT_STATE_DIR = Path("/tmp/mgrelax-slurm")
SLURM_CONF = Path("/etc/slurm/slurm.conf")
MARKER = "# One-node test cluster written by mgrelax tools/local_slurm.py"
PARTITION = "local"
MIN_JOB_AGE_S = 3600
START_TIMEOUT_S = 60
CANNOT_RUN = 77


class CannotRun(RuntimeError):
    """This machine cannot run the cluster (not root, no packages)."""


def slurm_conf(state_dir: Path, node_line: str) -> str:
    """slurm.conf of the one-node cluster; ``node_line`` is from ``slurmd -C``."""
    host = node_line.split()[0].removeprefix("NodeName=")
    return "\n".join([
        MARKER,
        "ClusterName=mgrelax",
        f"SlurmctldHost={host}(127.0.0.1)",
        "SlurmUser=root",
        "SlurmdUser=root",
        "AuthType=auth/munge",
        f"StateSaveLocation={state_dir / 'state'}",
        f"SlurmdSpoolDir={state_dir / 'spool'}",
        f"SlurmctldPidFile={state_dir / 'slurmctld.pid'}",
        f"SlurmdPidFile={state_dir / 'slurmd.pid'}",
        f"SlurmctldLogFile={state_dir / 'slurmctld.log'}",
        f"SlurmdLogFile={state_dir / 'slurmd.log'}",
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/affinity",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core",
        "MpiDefault=none",
        "ReturnToService=2",
        f"MinJobAge={MIN_JOB_AGE_S}",
        "AccountingStorageType=accounting_storage/none",
        "JobAcctGatherType=jobacct_gather/none",
        "JobCompType=jobcomp/none",
        "SchedulerType=sched/backfill",
        f"{node_line} NodeAddr=127.0.0.1 State=UNKNOWN",
        f"PartitionName={PARTITION} Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
        "",
    ])


def ensure_packages(install: bool) -> None:
    """The SLURM and munge programs, installed with apt-get when asked and missing."""
    if os.geteuid() != 0:
        raise CannotRun("the SLURM daemons must be started as root")
    missing = [name for name in ("slurmctld", "slurmd", "sbatch", "munged")
               if shutil.which(name) is None and not Path("/usr/sbin", name).exists()]
    if not missing:
        return
    if not install:
        raise CannotRun(f"{', '.join(missing)} not installed (Debian packages: "
                        f"{' '.join(PACKAGES)}; 'up --install' installs them with apt-get)")
    try:
        apt_install(PACKAGES)
    except CannotInstall as error:
        raise CannotRun(str(error)) from None


def start_munge() -> None:
    """The munge daemon that authenticates SLURM's messages (as user munge)."""
    if subprocess.run(["munge", "-n"], capture_output=True).returncode == 0:
        return
    key = Path("/etc/munge/munge.key")
    if not key.exists():
        subprocess.run(["mungekey", "--create"], check=True)
        shutil.chown(key, "munge", "munge")
        key.chmod(0o400)
    run_dir = Path("/run/munge")
    run_dir.mkdir(parents=True, exist_ok=True)
    shutil.chown(run_dir, "munge", "munge")
    subprocess.run(["runuser", "-u", "munge", "--", "munged"], check=True)
    wait_for(lambda: subprocess.run(["munge", "-n"], capture_output=True).returncode == 0,
             "munged to answer")


def node_line() -> str:
    """This machine as a SLURM node line (``slurmd -C``, without the uptime)."""
    output = subprocess.run(["slurmd", "-C"], capture_output=True, text=True, check=True).stdout
    return next(line for line in output.splitlines() if line.startswith("NodeName="))


def up(state_dir: Path, install: bool) -> None:
    """Start munge, slurmctld and slurmd, and wait until the node takes jobs."""
    ensure_packages(install)
    if SLURM_CONF.exists() and MARKER not in SLURM_CONF.read_text():
        raise CannotRun(f"{SLURM_CONF} exists and was not written by this script: "
                        "this machine has its own SLURM")
    start_munge()
    down(state_dir)
    for sub in ("state", "spool"):
        (state_dir / sub).mkdir(parents=True, exist_ok=True)
    SLURM_CONF.parent.mkdir(parents=True, exist_ok=True)
    SLURM_CONF.write_text(slurm_conf(state_dir, node_line()))
    subprocess.run(["slurmctld", "-c"], check=True)  # -c: forget the jobs of earlier runs
    subprocess.run(["slurmd"], check=True)
    wait_for(lambda: node_state() in ("idle", "mixed", "allocated"),
             f"the node to come up (see {state_dir}/slurmctld.log and slurmd.log)")


def node_state() -> str:
    result = subprocess.run(["sinfo", "--noheader", "--format=%t", f"--partition={PARTITION}"],
                            capture_output=True, text=True)
    return result.stdout.strip().rstrip("*~#$@") if result.returncode == 0 else ""


def down(state_dir: Path) -> None:
    """Stop the daemons this script started (their pid files) and remove its slurm.conf,
    so that SLURM commands fail at once instead of waiting for a controller; munge stays."""
    for daemon in ("slurmd", "slurmctld"):
        pid_file = state_dir / f"{daemon}.pid"
        if not pid_file.exists():
            continue
        try:
            pid = int(pid_file.read_text().split()[0])
            os.kill(pid, signal.SIGTERM)
            wait_for(lambda: not Path(f"/proc/{pid}").exists(), f"{daemon} to stop")
        except (ProcessLookupError, ValueError, IndexError):
            pass
        pid_file.unlink(missing_ok=True)
    if SLURM_CONF.exists() and MARKER in SLURM_CONF.read_text():
        SLURM_CONF.unlink()


def wait_for(condition, what: str, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("up", "down"))
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR,
                        help=f"folder of the cluster's config, state and logs "
                             f"(default {DEFAULT_STATE_DIR})")
    parser.add_argument("--install", action="store_true",
                        help=f"apt-get install {' '.join(PACKAGES)} when missing")
    args = parser.parse_args(argv)
    state_dir = args.state_dir.resolve()
    try:
        if args.action == "up":
            up(state_dir, args.install)
            print(f"SLURM cluster on '{socket.gethostname()}' up, partition '{PARTITION}'")
        else:
            down(state_dir)
    except CannotRun as reason:
        print(f"local_slurm: cannot run here: {reason}", file=sys.stderr)
        return CANNOT_RUN
    except (RuntimeError, subprocess.CalledProcessError) as error:
        print(f"local_slurm: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
