"""tactile.decisions"""
