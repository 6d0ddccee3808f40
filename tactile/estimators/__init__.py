"""tactile.estimators"""
