"""tactile.sim: physics forward model of a grasp (object + gel + gripper -> force, width, images).

See ``docs/simulator.md`` for the models and their references.
"""

from tactile.sim.contact import ContactCurve, GelModel, contact_curve
from tactile.sim.grasp import SimGraspConfig, SimTruth, simulate_grasp, simulate_grasp_truth
from tactile.sim.gripper import GripperProfile
from tactile.sim.objects import SHAPES, SimObject
from tactile.sim.render import Light, Optics
from tactile.sim.sensors import SensorNoise

__all__ = [
    "SHAPES",
    "ContactCurve",
    "GelModel",
    "GripperProfile",
    "Light",
    "Optics",
    "SensorNoise",
    "SimGraspConfig",
    "SimObject",
    "SimTruth",
    "contact_curve",
    "simulate_grasp",
    "simulate_grasp_truth",
]
