"""The self-intermediate scattering function F_s(q1, t) and its alpha-relaxation time:
``jobs`` (the NVT runs and their KWW fits), ``summary`` (means over samples) and
``figures``."""
