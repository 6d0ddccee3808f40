"""tactile.calibration"""
