"""tactile.hardware"""
