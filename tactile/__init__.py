"""tactile: estimate how soft an object is from one grasp with a camera-based tactile sensor."""

from tactile.errors import TactileError
from tactile.types import Flag, Grasp, GraspFeatures, GraspMetadata, ModulusEstimate

__version__ = "0.1.0"

__all__ = [
    "Flag",
    "Grasp",
    "GraspFeatures",
    "GraspMetadata",
    "ModulusEstimate",
    "TactileError",
    "__version__",
]
