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
- :mod:`tactile.calibration.gel_measured`: a gel measured off the sensor (a coupon's modulus,
  the pad's thickness: :func:`measured_gel_calibration`), on which the rig fit counts the rig
  from the read touch;
- :mod:`tactile.calibration.sim_fit`: the simulated sensor's depth model
  (:func:`calibrate_sim_depth`);
- ``tactile calibrate rig`` runs :func:`tactile.processing.rig_fit.fit_rig` (a pure function of
  the presses' signals, in ``processing`` so the simulator calibrates its rigs with it too):
  the rig compliance, contact-width bias and rigid-press curve from presses of a rigid object.
"""
