"""tactile.search"""
