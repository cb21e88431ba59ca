"""Install Debian packages with apt-get for the tests that need real system programs
(the SLURM daemons, Debian's LAMMPS build). Root and apt-get are needed; without them
the caller gets the reason and skips."""

import os
import shutil
import subprocess


class CannotInstall(RuntimeError):
    """The packages cannot be installed here (the message says why)."""


def apt_install(packages: list[str]) -> None:
    """apt-get install ``packages``, refreshing the package lists once if that fails (a
    fresh machine may have none yet); CannotInstall with the reason otherwise."""
    if os.geteuid() != 0:
        raise CannotInstall(f"installing {' '.join(packages)} needs root")
    if shutil.which("apt-get") is None:
        raise CannotInstall(f"no apt-get to install {' '.join(packages)} with")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "-q", *packages]
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=environment, capture_output=True)
        result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise CannotInstall(f"apt-get install {' '.join(packages)} failed: "
                            f"{result.stderr.strip().splitlines()[-1:]}")
