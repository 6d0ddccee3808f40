"""tactile.io"""
