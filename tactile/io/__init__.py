"""Grasp <-> disk: the crash-safe HDF5 grasp store and the reference-data importer."""

from tactile.io.labels import (
    BUILTIN_ALIASES,
    LabelRow,
    LabelWarning,
    read_aliases,
    read_label_table,
)
from tactile.io.pickles import ArrayUnpickler, load_array_pickle
from tactile.io.reader import GraspReader, open_grasps
from tactile.io.reference import import_reference, load_reference_grasp
from tactile.io.schema import FORMAT_NAME, SCHEMA_VERSION
from tactile.io.sources import is_reference_layout, iter_grasps, load_grasps, with_labels
from tactile.io.store import GraspWriter

__all__ = [
    "BUILTIN_ALIASES",
    "FORMAT_NAME",
    "SCHEMA_VERSION",
    "ArrayUnpickler",
    "GraspReader",
    "GraspWriter",
    "LabelRow",
    "LabelWarning",
    "import_reference",
    "is_reference_layout",
    "iter_grasps",
    "load_array_pickle",
    "load_grasps",
    "load_reference_grasp",
    "open_grasps",
    "read_aliases",
    "read_label_table",
    "with_labels",
]
