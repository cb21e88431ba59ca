"""The intermediate-scattering stage over samples: alpha_relaxation.csv (each state's
KWW fit, then the means over samples) and the F_s(q1, t) figure."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mgrelax.dms.summary import read_records, sample_means
from mgrelax.figures import save
from mgrelax.lammps_io import read_hdf5
from mgrelax.potentials import Model
from mgrelax.scattering.figures import intermediate_scattering_figure


def write_scattering_summary(table_files, fit_files, outputs, model: Model) -> None:
    """alpha_relaxation.csv (every state, then means over samples) and the F_s figure."""
    fits = read_records(fit_files)
    fitted = fits.dropna(subset=["tau"]) if "tau" in fits else fits.iloc[:0]
    means = (sample_means(fitted, ["temperature"], ("tau", "beta", "tau_integral", "q1"))
             if len(fitted) else None)
    table = fits if means is None else pd.concat([fits, means.assign(sample="mean")])
    table.to_csv(outputs.table, index=False)
    curves = []
    for path, fit in zip(table_files, fits.to_dict("records")):
        datasets, _ = read_hdf5(Path(path))
        curves.append((fit, datasets["lag"][0], datasets["fs"][0]))
    Path(outputs.figure).parent.mkdir(parents=True, exist_ok=True)
    save(intermediate_scattering_figure(curves, model.units), outputs.figure, outputs.figure_pdf)
