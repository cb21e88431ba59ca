"""mgrelax: the Python side of the metallic-glass relaxation workflow.

Modules: ``config`` (validated configuration), ``potentials`` (model catalogue),
``units`` (unit systems), ``templates`` (typed LAMMPS input rendering),
``launch`` (command lines and the LAMMPS library), ``jobs`` (checkpointed
LAMMPS jobs), ``lammps_io`` (reading and writing LAMMPS files and HDF5
results), ``provenance`` and ``glass`` (the glass-preparation stage).
"""

__version__ = "0.1.0"
