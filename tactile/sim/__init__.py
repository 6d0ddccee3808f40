"""tactile.sim: physics forward model of a grasp (object + gel + gripper -> force, width, images).

See ``docs/simulator.md`` for the models and their references.
"""

from tactile.sim.catalog import MATERIALS, Material, sample_population
from tactile.sim.contact import ContactCurve, GelModel, contact_curve
from tactile.sim.grasp import (
    PRESETS,
    SimGraspConfig,
    SimTruth,
    preset_config,
    simulate_grasp,
    simulate_grasp_truth,
)
from tactile.sim.gripper import GripperProfile
from tactile.sim.objects import SHAPES, SimObject
from tactile.sim.render import Light, Optics
from tactile.sim.rig import SimRig
from tactile.sim.rigs import RigDraw, RigRanges, apply_rig, calibrate_rig, draw_rig
from tactile.sim.sensors import SensorNoise

__all__ = [
    "MATERIALS",
    "PRESETS",
    "SHAPES",
    "ContactCurve",
    "GelModel",
    "GripperProfile",
    "Light",
    "Material",
    "Optics",
    "RigDraw",
    "RigRanges",
    "SensorNoise",
    "SimGraspConfig",
    "SimObject",
    "SimRig",
    "SimTruth",
    "apply_rig",
    "calibrate_rig",
    "contact_curve",
    "draw_rig",
    "preset_config",
    "sample_population",
    "simulate_grasp",
    "simulate_grasp_truth",
]
