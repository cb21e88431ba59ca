"""Well-tempered metadynamics of local clusters with Colvars: ``jobs`` (the runs and
their barriers), ``colvars`` (the Colvars files), ``summary`` (barrier spectra,
activation energy and entropy, size convergence) and ``figures``."""
