"""Entry point that runs one LAMMPS input through the embedded library.

``python -m mgrelax.lammps_main -in in.lammps -log log.lammps [switches]`` behaves
like ``lmp`` with the same switches; the MPI launcher starts one per rank.
A LAMMPS error exits with status 1 after printing LAMMPS's ERROR line.
Every rank finalizes MPI before it exits: mpich's launcher kills the ranks
still running as soon as one rank exits without ``MPI_Finalize``.
"""

import sys

from mgrelax.launch import lammps_instance


def main(argv: list[str]) -> int:
    if "-in" not in argv:
        print("usage: python -m mgrelax.lammps_main -in INPUT [LAMMPS switches]", file=sys.stderr)
        return 2
    position = argv.index("-in")
    input_file = argv[position + 1]
    switches = argv[:position] + argv[position + 2:]
    lmp = lammps_instance(switches)
    try:
        lmp.file(input_file)
    except Exception as error:  # the lammps module raises a plain Exception
        print(str(error).splitlines()[0], file=sys.stderr)
        return 1
    finally:
        lmp.finalize()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
