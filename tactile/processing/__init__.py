"""tactile.processing"""
