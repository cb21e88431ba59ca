"""Scientific analysis of metallic-glass simulations: pure numpy/scipy functions.

Modules
-------
glass_transition
    Tg from the kink of V(T), E(T) or H(T) recorded during a quench.
structure
    Total and partial pair distribution functions g(r) in periodic (triclinic) cells,
    and the first peak / first minimum of g(r).
dynamics
    Diffusion coefficient from the mean squared displacement, and a melting check.

Every estimate is returned together with its uncertainty. No file I/O, no LAMMPS.
"""
