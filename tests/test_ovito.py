"""Per-atom outputs of the tiny campaign opened in OVITO (the ``ovito`` package) and
checked against the workflow's own readers and analysis.

The frames: the DMS snapshots (start.dump, one_period.dump) and their inherent structures
(inherent_start/ and inherent_one_period/inherent.data); the per-atom outputs: the D2min
dump and the displacement frame of IS D_min (is_displacement.dump). OVITO's own
displacements and D2min between the frames are checked against analysis' and the
displacement record's.

Tolerances follow the files' precision: data files carry 17 significant digits, dumps 12
(``%.12g``, a relative rounding of at most 5e-12).
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from ovito.io import import_file
from ovito.modifiers import AtomicStrainModifier, CalculateDisplacementsModifier
from ovito.pipeline import FileSource, ReferenceConfigurationModifier

from analysis.box import minimum_image
from analysis.dmin import MIN_NEIGHBOURS, d2min
from mgrelax.dms.displacement import INHERENT_DIRS
from mgrelax.lammps_io import read_data_file, read_dump_frame

SAME_TEXT = 1e-12
"""Absolute tolerance (A) of one file's coordinates parsed by OVITO and by the workflow (the
same digits: they differ by rounding in the last bit, 4e-15 A at 20 A)."""
DUMP_ROUNDING = 1e-10
"""Absolute tolerance (A) of dump coordinates against the full-precision ones (%.12g of a
coordinate below 100 A rounds by at most 5e-11 A)."""
DUMP_RTOL = 1e-11
"""Relative tolerance of a %.12g dump column against the full-precision values (twice its
rounding)."""
STRAIN_RTOL = 1e-9
"""Tolerance of OVITO's D2min relative to the largest of the state point: both use the same
positions in double precision, in another order of operations (seen: 2e-12)."""
DISPLACEMENT_TOLERANCE = 1e-9
"""Absolute tolerance (A) of OVITO's displacement vectors against analysis': the same
positions, a minimum image in double precision (seen: 4e-15 A); a box vector or image
wrong would be off by angstroms."""


def state_points(campaign: Path) -> list[Path]:
    """Folders of the DMS state points with a D2min dump."""
    points = sorted(path.parent for path in (campaign / "results" / "dms").rglob("d2min.dump"))
    assert points, "the tiny campaign wrote no D2min dump"
    return points


def inherent_files(point: Path) -> tuple[Path, Path]:
    """The inherent structures at the start and after one period of a state point."""
    return tuple(point / folder / "inherent.data" for folder in INHERENT_DIRS.values())


def import_options(path: Path) -> dict:
    """OVITO's import options for a dump or data file: a data file's atom style, named
    in its ``Atoms # <style>`` header."""
    if path.suffix != ".data":
        return {}
    match = re.search(r"^Atoms\s*#\s*(\w+)", path.read_text(), re.M)
    assert match, f"{path} names no atom style"
    return {"atom_style": match.group(1)}


def ovito_particles(path: Path, modifier=None, reference: Path | None = None):
    """OVITO's data collection of a file, after ``modifier`` against the file
    ``reference`` (no affine mapping, minimum images) where given."""
    pipeline = import_file(str(path), **import_options(path))
    if modifier is not None:
        modifier.reference = FileSource()
        modifier.reference.load(str(reference), **import_options(reference))
        modifier.affine_mapping = ReferenceConfigurationModifier.AffineMapping.Off
        modifier.minimum_image_convention = True
        pipeline.modifiers.append(modifier)
    return pipeline.compute()


def by_id(data, name: str) -> np.ndarray:
    """OVITO's particle property ``name`` in atom-id order, as the workflow keeps atoms."""
    order = np.argsort(np.asarray(data.particles.identifiers))
    return np.asarray(data.particles[name])[order]


def ovito_displacements(reference: Path, current: Path) -> np.ndarray:
    """OVITO's displacement vectors (N, 3) from ``reference`` to ``current``, by atom id."""
    return by_id(ovito_particles(current, CalculateDisplacementsModifier(), reference),
                 "Displacement")


def assert_same_atoms(data, configuration, tolerance: float) -> None:
    """OVITO's ids, types, positions and cell (h, origin) against a workflow Configuration."""
    cell = np.asarray(data.cell[...])
    np.testing.assert_array_equal(by_id(data, "Particle Identifier"), configuration.ids)
    np.testing.assert_array_equal(by_id(data, "Particle Type"), configuration.types)
    for seen, expected in ((by_id(data, "Position"), configuration.positions),
                           (cell[:, :3], configuration.box), (cell[:, 3], configuration.origin)):
        np.testing.assert_allclose(seen, expected, rtol=0, atol=tolerance)


def dumps_of_the_state_points(campaign: Path, name: str):
    """For each DMS state point: its displacement record, the files of its two inherent
    structures and the structures, and its dump ``name`` as OVITO reads it, checked to
    hold the atoms of the start inherent structure."""
    for point in state_points(campaign):
        record = json.loads((point / "displacement.json").read_text())
        files = inherent_files(point)
        start, after = map(read_data_file, files)
        data = ovito_particles(point / name)
        assert_same_atoms(data, start, DUMP_ROUNDING)
        yield record, files, (start, after), data


def test_ovito_reads_the_inherent_structure_data_files_as_the_workflow(tiny_campaign):
    """Box (cell and origin), ids, types and positions of every glass inherent structure."""
    files = sorted((tiny_campaign / "results" / "glass").glob("sample*/T*/inherent/inherent.data"))
    assert files
    for path in files:
        assert_same_atoms(ovito_particles(path), read_data_file(path), SAME_TEXT)


def test_ovito_reads_the_dms_frames_as_the_workflow(tiny_campaign):
    """The snapshots each DMS state point minimises, and their inherent structures."""
    for point in state_points(tiny_campaign):
        for path in (point / "start.dump", point / "one_period.dump"):
            assert_same_atoms(ovito_particles(path), read_dump_frame(path), SAME_TEXT)
        for path in inherent_files(point):
            assert_same_atoms(ovito_particles(path), read_data_file(path), SAME_TEXT)


def test_d2min_dump_in_ovito_holds_the_workflow_d2min(tiny_campaign):
    """The dump's atoms and its d2min and n_neighbours columns, as OVITO reads them, against
    the start inherent structure, D2min recomputed from the two inherent structures, the
    record's statistics, and OVITO's own D2min between them."""
    for record, (start_file, after_file), (start, after), data in dumps_of_the_state_points(
            tiny_campaign, "d2min.dump"):
        column, neighbours = by_id(data, "d2min"), by_id(data, "n_neighbours")
        expected = d2min(start.positions, after.positions, start.box, after.box,
                         record["d2min_cutoff"])
        np.testing.assert_array_equal(neighbours, expected.n_neighbours)
        np.testing.assert_allclose(column, expected.d2min, rtol=DUMP_RTOL, atol=0)
        valid = column[neighbours >= MIN_NEIGHBOURS]
        for statistic, value in (("d2min_mean", valid.mean()), ("d2min_max", column.max()),
                                 ("d2min_median", np.median(valid))):
            assert value == pytest.approx(record[statistic], rel=DUMP_RTOL), statistic
        strain = AtomicStrainModifier(cutoff=record["d2min_cutoff"],
                                      output_nonaffine_squared_displacements=True)
        ovito_d2min = by_id(ovito_particles(after_file, strain, start_file),
                            "Nonaffine Squared Displacement")
        np.testing.assert_allclose(ovito_d2min, column, rtol=0,
                                   atol=STRAIN_RTOL * column.max())


def test_ovito_displacements_between_the_frames_match_the_minimum_images(tiny_campaign):
    """OVITO's displacement vectors from the start to one period, of the snapshots and of
    their inherent structures, against analysis' minimum-image differences."""
    for point in state_points(tiny_campaign):
        pairs = [(point / "start.dump", point / "one_period.dump", read_dump_frame),
                 (*inherent_files(point), read_data_file)]
        for reference, current, read in pairs:
            before, after = read(reference), read(current)
            np.testing.assert_allclose(
                ovito_displacements(reference, current),
                minimum_image(after.positions - before.positions, before.box),
                rtol=0, atol=DISPLACEMENT_TOLERANCE)


def test_ovito_displacements_give_the_recorded_drift_and_is_dmin(tiny_campaign):
    """Where IS D_min relabelled no atom, the mean of OVITO's displacements between the
    inherent structures is the record's drift and their RMS about it IS D_min."""
    records = {point: json.loads((point / "displacement.json").read_text())
               for point in state_points(tiny_campaign)}
    unrelabelled = [point for point, record in records.items() if record["n_relabelled"] == 0]
    assert unrelabelled, "every state point relabelled atoms: no labelled drift to compare"
    for point in unrelabelled:
        displacements = ovito_displacements(*inherent_files(point))
        drift = displacements.mean(axis=0)
        np.testing.assert_allclose(drift, records[point]["drift"], rtol=0,
                                   atol=DISPLACEMENT_TOLERANCE)
        rms = np.sqrt(np.mean(np.sum((displacements - drift) ** 2, axis=1)))
        assert rms == pytest.approx(records[point]["is_dmin"], abs=DISPLACEMENT_TOLERANCE)


def test_is_displacement_frame_in_ovito_is_the_minimal_displacement_field(tiny_campaign):
    """is_displacement.dump as OVITO reads it (its Displacement vector property): each atom's
    displacement to its partner in the other inherent structure, drift removed. Against
    OVITO's own displacements between the inherent structures less the recorded drift
    (atoms kept their label) or the minimum image to the partner (relabelled atoms); its
    RMS is the record's IS D_min, its relabelled atoms the record's count."""
    for record, (start_file, after_file), (start, after), data in dumps_of_the_state_points(
            tiny_campaign, "is_displacement.dump"):
        field, partner = by_id(data, "Displacement"), by_id(data, "partner_id").astype(int)
        drift = np.asarray(record["drift"])
        relabelled = partner != start.ids
        assert np.count_nonzero(relabelled) == record["n_relabelled"]
        expected = ovito_displacements(start_file, after_file) - drift
        partner_index = np.searchsorted(after.ids, partner)
        expected[relabelled] = minimum_image(
            after.positions[partner_index[relabelled]] - drift - start.positions[relabelled],
            start.box)
        np.testing.assert_allclose(field, expected, rtol=0, atol=DISPLACEMENT_TOLERANCE)
        np.testing.assert_allclose(by_id(data, "displacement_magnitude"),
                                   np.linalg.norm(field, axis=1), rtol=DUMP_RTOL, atol=1e-15)
        rms = np.sqrt(np.mean(np.sum(field**2, axis=1)))
        assert rms == pytest.approx(record["is_dmin"], rel=DUMP_RTOL)
