"""crane: copy, inspect and change container images in registries, from Python.

The high-level API mirrors go-containerregistry's ``pkg/crane``; the command-line
tool lives in :mod:`containerregistry.crane.cli`.
"""

__all__: list[str] = []
