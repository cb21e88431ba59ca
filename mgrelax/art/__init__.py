"""ART nouveau saddle searches on the metadynamics clusters: ``engine`` (the ART
nouveau algorithm on any energy surface), ``lammps_surface`` (LAMMPS as that surface),
``search`` (one search on a cluster), ``metabasin`` (the metabasin level's NEB check),
``jobs`` (batches of searches and their events table), ``neb`` and ``neb_check`` (the
independent climbing-image NEB check), ``summary`` (spectra) and ``figures``."""
