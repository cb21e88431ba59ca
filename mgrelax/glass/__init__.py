"""The glass-preparation stage: ``jobs`` (melt, quench, anneal, equilibrate, inherent
structures, Tg fits), ``summary`` (Tg, g(r) and inherent structures over samples),
``tg_rate`` (Tg against the cooling rate) and ``figures``."""
