"""Calibration procedures: fit a sensor's :class:`~tactile.sensor.SensorCalibration`.

The record itself lives at the bottom of the package (:mod:`tactile.sensor`); the procedures
here run processing, the estimators and the simulator, so they sit above them
(docs/decisions.md, "Layering"):

- :mod:`tactile.calibration.geometry`: pad corners and size -> per-axis mm/px
  (:func:`calibrate_geometry`);
- :mod:`tactile.calibration.depth_fit`: colour -> slope model from a ball press
  (:func:`calibrate_depth`, :func:`fit_depth`);
- :mod:`tactile.calibration.gel_labelled`: the gel modulus that best matches labelled soft
  objects (:func:`calibrate_gel`, :func:`fit_gel_modulus`);
- :mod:`tactile.calibration.gel_rigid`: the effective gel modulus in closed form from presses of
  a rigid reference (:func:`fit_gel_rigid_sphere`, :func:`fit_gel_from_reference`);
- :mod:`tactile.calibration.sim_fit`: the simulated sensor's depth model
  (:func:`calibrate_sim_depth`);
- :mod:`tactile.calibration.rig_fit`: the rig's series compliance and contact-width bias from
  presses of a rigid object (:func:`fit_rig`, ``tactile calibrate rig``).
"""
