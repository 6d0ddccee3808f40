"""tactile.sim"""
