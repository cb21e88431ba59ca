"""Scientific analysis of metallic-glass simulations: pure numpy/scipy functions.

Modules
-------
glass_transition
    Tg from the kink of V(T), E(T) or H(T) recorded during a quench.
structure
    Total and partial pair distribution functions g(r) in periodic (triclinic) cells,
    the first peak / first minimum of g(r), and S(q) from g(r) with its main peak q1.
dynamics
    Diffusion coefficient from the mean squared displacement, a melting check, and the
    self-intermediate scattering function F_s(q, t).
scaling
    Power-law fits y = A x^b in log-log coordinates with confidence intervals.
metad
    Free-energy barrier from the initial minimum to the first saddle of a metadynamics profile.
metad_bias
    Bias and spread of the first-crossing metadynamics barrier (the workflow's stopping
    rule, from mgrelax.metad.jobs) on a Langevin double well of known barrier.
barriers
    Barrier spectra: parallel/sequential/effective single barriers (plug-in, and from
    Gaussian or log-normal fits with right-censored runs), activation energy and entropy.

Every estimate is returned together with its uncertainty. No file I/O, no LAMMPS.
"""
