"""Our readers and our g(r) against LAMMPS itself on one triclinic configuration."""

import os

import numpy as np
import pytest

from analysis.structure import pair_distribution
from mgrelax.lammps_io import read_data_file, read_dump_frame, write_dump_frame
from mgrelax.launch import lammps_instance

N_BINS, CUTOFF = 50, 5.0

SETUP = """
units metal
atom_style atomic
atom_modify map array
region cell prism 0 16 0 15 0 14 3.0 -2.0 1.5
create_box 2 cell
create_atoms 1 random 180 11 NULL overlap 1.2 maxtry 500
create_atoms 2 random 120 12 NULL overlap 1.2 maxtry 500
mass * 1.0
pair_style zero {cutoff}
pair_coeff * *
compute rdf all rdf {bins} 1 1 1 2 2 2 * *
fix rdf all ave/time 1 1 1 c_rdf[*] file rdf.txt mode vector
run 0
write_data configuration.data
write_dump all custom configuration.dump id type x y z modify sort id format float %.12g
"""


@pytest.fixture(scope="module")
def lammps_configuration(tmp_path_factory):
    """A 300-atom two-type configuration in a tilted cell, with LAMMPS's g(r) of it."""
    folder = tmp_path_factory.mktemp("triclinic")
    lmp = lammps_instance(["-log", str(folder / "log.lammps"), "-screen", "none"])
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        lmp.commands_string(SETUP.format(cutoff=CUTOFF + 0.5, bins=N_BINS))
        assert lmp.get_natoms() == 300
        positions = np.array(lmp.numpy.extract_atom("x")[:300], dtype=float)
        ids = np.array(lmp.numpy.extract_atom("id")[:300])
        boxlo, boxhi, xy, yz, xz, _, _ = lmp.extract_box()
    finally:
        lmp.close()
        os.chdir(cwd)
    order = np.argsort(ids)
    lengths = np.subtract(boxhi, boxlo)
    box = np.array([[lengths[0], xy, xz], [0, lengths[1], yz], [0, 0, lengths[2]]])
    table = np.loadtxt(folder / "rdf.txt", comments="#", skiprows=4)  # after "step nrows"
    return folder, positions[order], box, table


def test_data_and_dump_readers_return_what_lammps_holds(lammps_configuration):
    folder, positions, box, _ = lammps_configuration
    for configuration in (read_data_file(folder / "configuration.data"),
                          read_dump_frame(folder / "configuration.dump")):
        assert configuration.n_atoms == 300
        np.testing.assert_allclose(configuration.box, box, atol=1e-9)
        np.testing.assert_allclose(configuration.positions, positions, atol=1e-6)
        assert np.bincount(configuration.types).tolist() == [0, 180, 120]


def test_pair_distribution_matches_lammps_compute_rdf(lammps_configuration):
    folder, _, _, table = lammps_configuration
    configuration = read_data_file(folder / "configuration.data")
    ours = pair_distribution(configuration.positions, configuration.types, configuration.box,
                             r_max=CUTOFF + 0.5, n_bins=N_BINS)
    lammps_r = table[:, 1]
    lammps_g = {(1, 1): table[:, 2], (1, 2): table[:, 4], (2, 2): table[:, 6], "total": table[:, 8]}
    np.testing.assert_allclose(ours.r, lammps_r, rtol=1e-6)
    occupied = ours.g_total > 0
    # same pair counts; the normalisations differ by N / (N - 1) at most
    np.testing.assert_allclose(ours.g_total[occupied], lammps_g["total"][occupied], rtol=0.01)
    for pair in ((1, 1), (1, 2), (2, 2)):
        np.testing.assert_allclose(ours.g_partial[pair], lammps_g[pair], rtol=0.01, atol=1e-9)


def test_written_dump_is_read_back_by_lammps(lammps_configuration, tmp_path):
    folder, positions, box, _ = lammps_configuration
    configuration = read_data_file(folder / "configuration.data")
    write_dump_frame(tmp_path / "ours.dump", configuration,
                     {"d2min": np.linspace(0.0, 1.0, configuration.n_atoms)})
    assert read_dump_frame(tmp_path / "ours.dump").box == pytest.approx(box, abs=1e-9)
    lmp = lammps_instance(["-log", "none", "-screen", "none"])
    try:
        lmp.commands_string(f"""
units metal
atom_style atomic
atom_modify map array
pair_style zero 1.0
read_data {folder / 'configuration.data'}
read_dump {tmp_path / 'ours.dump'} 0 x y z box yes
""")
        read = np.array(lmp.numpy.extract_atom("x")[:300], dtype=float)
        ids = np.array(lmp.numpy.extract_atom("id")[:300])
        boxlo, boxhi, xy, yz, xz, _, _ = lmp.extract_box()
    finally:
        lmp.close()
    np.testing.assert_allclose(read[np.argsort(ids)], positions, atol=1e-6)
    np.testing.assert_allclose([*np.subtract(boxhi, boxlo), xy, xz, yz],
                               [box[0, 0], box[1, 1], box[2, 2], box[0, 1], box[0, 2], box[1, 2]],
                               atol=1e-9)
