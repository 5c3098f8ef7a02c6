"""Errors the registry answers with, as the distribution spec's JSON error body."""

from __future__ import annotations

import json

from containerregistry.errors import ContainerRegistryError

#: The HTTP status each spec error code is answered with unless a handler says otherwise.
DEFAULT_STATUS = {
    "BLOB_UNKNOWN": 404,
    "BLOB_UPLOAD_INVALID": 400,
    "BLOB_UPLOAD_UNKNOWN": 404,
    "DIGEST_INVALID": 400,
    "MANIFEST_BLOB_UNKNOWN": 400,
    "MANIFEST_INVALID": 400,
    "MANIFEST_UNKNOWN": 404,
    "NAME_INVALID": 400,
    "NAME_UNKNOWN": 404,
    "SIZE_INVALID": 400,
    # Not in the OCI list, but Docker's clients know it from distribution.
    "TAG_INVALID": 400,
    "UNAUTHORIZED": 401,
    "DENIED": 403,
    "UNSUPPORTED": 405,
    "RANGE_INVALID": 416,
}


class RegistryError(ContainerRegistryError):
    """A request the registry refuses; rendered as ``{"errors":[...]}`` with ``status``.

    ``code`` is one of the distribution spec's error codes (``BLOB_UNKNOWN``, ...),
    ``message`` says what failed and what to do, ``detail`` is optional extra JSON.
    ``headers`` are added to the response (for example ``WWW-Authenticate``).
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        detail: object = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status if status is not None else DEFAULT_STATUS.get(code, 400)
        self.detail = detail
        self.headers = list(headers or [])

    def body(self) -> bytes:
        """The JSON error document the spec describes, with one error."""
        error: dict[str, object] = {"code": self.code, "message": self.message}
        if self.detail is not None:
            error["detail"] = self.detail
        return json.dumps({"errors": [error]}, separators=(",", ":")).encode()
