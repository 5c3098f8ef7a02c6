"""The errors of registry reads and writes.

Failures the registry reports arrive as :class:`containerregistry.transport.RegistryError`
(status, OCI codes, method and redacted URL) and are passed on unchanged; the types
here describe what went wrong on our side of the conversation.
"""

from __future__ import annotations

from containerregistry.errors import ContainerRegistryError


class RemoteError(ContainerRegistryError):
    """Base class of the errors raised by :mod:`containerregistry.remote`."""


class OptionsError(RemoteError, ValueError):
    """Options that are invalid or conflict (e.g. both ``keychain`` and ``authenticator``)."""


class Schema1Error(RemoteError):
    """A schema 1 manifest was asked for as an image or index.

    Schema 1 can only be copied as it is: use ``get(ref).schema1()``.
    """


class UnexpectedMediaTypeError(RemoteError):
    """A manifest is of a kind the caller did not ask for (an index where an image was wanted)."""


class PlatformNotFoundError(RemoteError):
    """No child of an index matches the requested platform.

    Attributes:
        hint: what to change, in the Python API's words (``pass platform= with one
            of those``); the message ends with it, and a CLI replaces it with its
            own flag's name.
    """

    #: The hint every instance carries unless told otherwise.
    API_HINT = "pass platform= with one of those"

    def __init__(self, message: str, hint: str = API_HINT) -> None:
        self.hint = hint
        super().__init__(f"{message}; {hint}" if hint else message)


class ManifestError(RemoteError):
    """A manifest the registry served is unusable: wrong digest, too large, or missing headers."""


class BlobFetchError(RemoteError):
    """A blob could not be fetched from the registry nor from any of its URLs."""


class UploadError(RemoteError):
    """A blob upload failed and could not be resumed or restarted."""
