"""mgrelax: the Python side of the metallic-glass relaxation workflow.

The core launches and reads LAMMPS: ``config`` (validated configuration, its reference
in ``config_docs``), ``potentials`` (model catalogue), ``units`` (unit systems),
``plan`` (the job grids and step counts of a config), ``templates`` (typed LAMMPS
input rendering), ``launch`` (command lines and the LAMMPS library), ``lammps_build``
(what a LAMMPS build can do), ``jobs`` (checkpointed LAMMPS jobs and progress lines),
``step`` (what every Snakemake script needs), ``lammps_io`` (reading LAMMPS files,
writing JSON and HDF5 results), ``provenance``, ``figures`` (what every figure
shares), ``cost`` (the cost model) and ``validation`` (our numbers beside the papers').

One subpackage per stage, each with ``jobs`` (the LAMMPS jobs and per-run records),
``summary`` (tables over runs and samples) and ``figures``: ``glass``, ``dms``,
``scattering``, ``metad`` and ``art`` (the ART nouveau engine in ``art.engine``).
The physics they compute with is the separate package ``analysis``. Data flow one way:
config -> rules -> jobs -> LAMMPS -> records -> analysis -> summaries -> figures.
"""

__version__ = "0.1.0"
