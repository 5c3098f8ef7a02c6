"""Images from and to the Docker Engine, through the Docker SDK for Python.

``image`` reads an image with ``docker save``, ``write`` puts one in with ``docker
load`` (or only tags it when the daemon already has it), ``tag`` adds a tag. The
``docker`` package is imported on first use; every failure of the daemon becomes
one :class:`DaemonError` that says what to do.
"""

from containerregistry.daemon._errors import (
    DaemonError,
    DaemonImageNotFoundError,
    DaemonNotRunningError,
    DaemonOptionError,
    DaemonPermissionError,
    DockerSDKMissingError,
)
from containerregistry.daemon._image import Buffer, Reference, image
from containerregistry.daemon._write import tag, write

__all__ = [
    "Buffer",
    "DaemonError",
    "DaemonImageNotFoundError",
    "DaemonNotRunningError",
    "DaemonOptionError",
    "DaemonPermissionError",
    "DockerSDKMissingError",
    "Reference",
    "image",
    "tag",
    "write",
]
