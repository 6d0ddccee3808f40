"""The ``tactile`` command line."""
