"""MD dynamic mechanical spectroscopy: ``jobs`` (one oscillatory-strain run per state
point and its fit), ``displacement`` (D2min and the inherent-structure minimal
displacement of a state point), ``summary`` (spectra, maps, the scaling law) and
``figures``."""
