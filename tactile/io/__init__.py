"""Grasp <-> disk: the crash-safe HDF5 grasp store and the reference-data importer."""

from tactile.io.schema import FORMAT_NAME, SCHEMA_VERSION
from tactile.io.store import GraspReader, GraspWriter, open_grasps

__all__ = [
    "FORMAT_NAME",
    "SCHEMA_VERSION",
    "GraspReader",
    "GraspWriter",
    "open_grasps",
]
