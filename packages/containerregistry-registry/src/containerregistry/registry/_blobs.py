"""Blob routes: HEAD, GET (with ranges), DELETE, and the upload protocol (monolithic,
streamed, chunked, status, cancel, cross-repository mount)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from containerregistry.registry._digests import parse_digest
from containerregistry.registry._errors import RegistryError
from containerregistry.registry._http import BlobBody, Request, Response

if TYPE_CHECKING:
    from containerregistry.registry._storage import Storage
    from containerregistry.registry._uploads import Uploads, UploadSession

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
# Clients write "a-b" (the spec), "bytes a-b/*" or "bytes=a-b" (HTTP habit), and some
# "a-" on a streamed PATCH of unknown length (this project's client did, resuming).
_CONTENT_RANGE = re.compile(r"(?:bytes[ =])?(\d+)-(\d*)(?:/(?:\d+|\*))?")


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """``(first, last)`` of a ``Range`` header; None means the whole blob.

    An unsatisfiable or malformed range is a 416 RANGE_INVALID.
    """
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None or match.group(0) == "bytes=-":
        raise _range_error(header, size)
    first_text, last_text = match.groups()
    if not first_text:
        suffix = int(last_text)
        if suffix == 0:
            raise _range_error(header, size)
        return max(size - suffix, 0), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size or last < first:
        raise _range_error(header, size)
    return first, min(last, size - 1)


def _range_error(header: str, size: int) -> RegistryError:
    return RegistryError(
        "RANGE_INVALID",
        f"range {header!r} cannot be served from a blob of {size} bytes",
        status=416,
        headers=[("Content-Range", f"bytes */{size}")],
    )


def _upload_headers(session: UploadSession) -> list[tuple[str, str]]:
    return [
        ("Location", f"/v2/{session.repository}/blobs/uploads/{session.id}"),
        # The spec's Range is inclusive; an empty upload still says 0-0.
        ("Range", f"0-{max(session.size - 1, 0)}"),
        ("Docker-Upload-UUID", session.id),
    ]


class BlobRoutes:
    """Handlers for ``/v2/<name>/blobs/...``; blobs are shared by every repository."""

    def __init__(self, storage: Storage, uploads: Uploads) -> None:
        self.storage = storage
        self.uploads = uploads

    def get(self, request: Request, repository: str, digest_text: str) -> Response:
        digest = str(parse_digest(digest_text, code="DIGEST_INVALID", what="the blob digest"))
        if request.method == "HEAD":
            size = self.storage.blob_size(repository, digest)
            if size is None:
                raise self._unknown(repository, digest)
            return Response(200, self._headers(digest), b"", head_length=size)
        opened = self.storage.open_blob(repository, digest)
        if opened is None:
            raise self._unknown(repository, digest)
        source, size = opened
        try:
            span = _byte_range(request.header("Range"), size)
        except RegistryError:
            if not isinstance(source, bytes):
                source.close()
            raise
        if span is None:
            return Response(200, self._headers(digest), BlobBody(source, 0, size))
        first, last = span
        headers = [*self._headers(digest), ("Content-Range", f"bytes {first}-{last}/{size}")]
        return Response(206, headers, BlobBody(source, first, last - first + 1))

    @staticmethod
    def _headers(digest: str) -> list[tuple[str, str]]:
        return [
            ("Content-Type", "application/octet-stream"),
            ("Docker-Content-Digest", digest),
            ("Accept-Ranges", "bytes"),
        ]

    @staticmethod
    def _unknown(repository: str, digest: str) -> RegistryError:
        return RegistryError(
            "BLOB_UNKNOWN",
            f"blob {digest} is not in repository {repository}",
            detail={"digest": digest},
        )

    def delete(self, request: Request, repository: str, digest_text: str) -> Response:
        digest = str(parse_digest(digest_text, code="DIGEST_INVALID", what="the blob digest"))
        if not self.storage.delete_blob(repository, digest):
            raise self._unknown(repository, digest)
        return Response(202)

    # -- uploads ---------------------------------------------------------------------

    def start_upload(self, request: Request, repository: str) -> Response:
        mount = request.arg("mount")
        if mount is not None:
            digest = str(parse_digest(mount, code="DIGEST_INVALID", what="the mounted digest"))
            # Mount when the other repository has the blob; otherwise (or without
            # ``from``, or when the caller may not pull ``from``) start an upload.
            source = request.arg("from")
            if source and self.storage.mount_blob(repository, digest, source):
                return Response(201, self._created(repository, digest))
            if self.storage.blob_size(repository, digest) is not None:
                return Response(201, self._created(repository, digest))
        expected = request.arg("digest")
        if expected is not None:
            digest = str(parse_digest(expected, code="DIGEST_INVALID", what="the digest"))
            session = self.uploads.start(repository)
            self._receive(request, session)
            self.uploads.finish(session, digest)
            return Response(201, self._created(repository, digest))
        session = self.uploads.start(repository)
        if request.content_length:
            self._receive(request, session)
        return Response(202, _upload_headers(session))

    @staticmethod
    def _created(repository: str, digest: str) -> list[tuple[str, str]]:
        return [
            ("Location", f"/v2/{repository}/blobs/{digest}"),
            ("Docker-Content-Digest", digest),
        ]

    def _receive(self, request: Request, session: UploadSession) -> None:
        """Append the request body; a body that breaks off discards the upload."""
        try:
            session.append(request.iter_body())
        except RegistryError as error:
            if error.status != 416:
                self.uploads.discard(session)
            elif not error.headers:  # another request's bytes: the upload goes on
                error.headers = _upload_headers(session)
            raise
        except BaseException:
            self.uploads.discard(session)
            raise

    def _check_content_range(self, request: Request, session: UploadSession) -> None:
        """Refuse a chunk whose ``Content-Range`` does not continue ``session``.

        Distribution checks the header only beside a Content-Length (a streamed body
        goes to the upload's end whatever it says): 416 RANGE_INVALID when the chunk
        does not start at the upload's size, 400 SIZE_INVALID when the lengths
        disagree. Here the start is checked on a streamed body too (appended
        elsewhere, the bytes could only fail the digest at the PUT), an open end
        (``a-``) means "the rest of the stream", and a header that is no range is a
        416 as well (the spec's "invalid Content-Range header format"; Distribution
        answers 500). Every 416 carries ``Location`` and ``Range``, where the upload
        stands, as the spec's chunked upload describes, so a client resumes there.
        """
        header = request.header("Content-Range")
        if not header:
            return
        match = _CONTENT_RANGE.fullmatch(header.strip())
        if match is None:
            raise RegistryError(
                "RANGE_INVALID",
                f"Content-Range {header!r} is not of the form <first>-<last>; upload "
                f"{session.id} has {session.size} bytes, send the chunk starting there",
                status=416,
                headers=_upload_headers(session),
            )
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) else None
        if first != session.size or (last is not None and last < first):
            raise RegistryError(
                "RANGE_INVALID",
                f"chunk {header.strip()} does not continue upload {session.id}, which has "
                f"{session.size} bytes; send the chunk starting at byte {session.size}",
                status=416,
                headers=_upload_headers(session),
            )
        length = request.content_length
        if last is not None and length is not None and length != last - first + 1:
            raise RegistryError(
                "SIZE_INVALID",
                f"Content-Range {first}-{last} is {last - first + 1} bytes but the body's "
                f"Content-Length is {length}; send both for the same chunk",
                headers=_upload_headers(session),
            )

    def patch_upload(self, request: Request, repository: str, upload_id: str) -> Response:
        session = self.uploads.get(repository, upload_id)
        self._check_content_range(request, session)
        self._receive(request, session)
        return Response(202, _upload_headers(session))

    def put_upload(self, request: Request, repository: str, upload_id: str) -> Response:
        session = self.uploads.get(repository, upload_id)
        expected = request.arg("digest")
        if expected is None:
            raise RegistryError(
                "DIGEST_INVALID",
                "the PUT that completes an upload needs ?digest=<digest of the blob>",
            )
        try:
            digest = str(parse_digest(expected, code="DIGEST_INVALID", what="the digest"))
        except RegistryError:
            self.uploads.discard(session)
            raise
        self._check_content_range(request, session)
        if request.content_length != 0:
            self._receive(request, session)
        self.uploads.finish(session, digest)
        return Response(201, self._created(repository, digest))

    def upload_status(self, request: Request, repository: str, upload_id: str) -> Response:
        session = self.uploads.get(repository, upload_id)
        return Response(204, _upload_headers(session))

    def cancel_upload(self, request: Request, repository: str, upload_id: str) -> Response:
        session = self.uploads.get(repository, upload_id)
        self.uploads.discard(session)
        return Response(204)
