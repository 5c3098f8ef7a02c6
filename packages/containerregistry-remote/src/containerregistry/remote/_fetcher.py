"""Sessions per registry, and verified reads of manifests and blobs."""

from __future__ import annotations

import http.client
import io
from collections.abc import Sequence
from typing import BinaryIO, cast
from urllib.parse import urljoin, urlsplit

import requests

from containerregistry import logs, name, transport, types
from containerregistry.remote._errors import BlobFetchError, ManifestError
from containerregistry.remote._options import Options
from containerregistry.transport import RegistrySession, TransportError, check_response
from containerregistry.transport._scheme import host_of, is_private_address
from containerregistry.v1 import Descriptor, Hash
from containerregistry.verify import VerifyingReader

#: Every manifest kind we can read, most wanted first (ggcr's list).
MANIFEST_ACCEPT: tuple[str, ...] = (
    types.OCI_IMAGE_INDEX,
    types.DOCKER_MANIFEST_LIST,
    types.OCI_MANIFEST_SCHEMA1,
    types.DOCKER_MANIFEST_SCHEMA2,
    types.DOCKER_MANIFEST_SCHEMA1_SIGNED,
    types.DOCKER_MANIFEST_SCHEMA1,
)
#: The largest manifest we read: real ones are kilobytes, and a hostile registry
#: must not make us buffer a blob (ggcr's limit; the transport's for every answer).
MAX_MANIFEST_SIZE = transport.MAX_RESPONSE_BODY
#: Redirects followed for one blob (registries send blob GETs to their storage).
_MAX_REDIRECTS = 5
#: Read size for blobs; large reads keep Python's per-call overhead negligible.
READ_SIZE = 1 << 20


def _plain_body(raw: object) -> http.client.HTTPResponse | None:
    """The ``http.client`` response under urllib3's ``raw``, when reading it gives the
    same bytes: nothing read yet, and no content decoding. Reading it skips urllib3's
    copy of every chunk."""
    body = getattr(raw, "_fp", None)
    if not isinstance(body, http.client.HTTPResponse):
        return None
    if getattr(raw, "_fp_bytes_read", None) != 0 or getattr(raw, "_decoder", None) is not None:
        return None
    return body


class _ResponseStream(io.RawIOBase):
    """A response body as a stream; at its end the connection goes back to the pool.

    A body whose end comes before its ``Content-Length`` raises :class:`TransportError`.
    """

    def __init__(self, response: requests.Response) -> None:
        super().__init__()
        self._response = response
        self._raw = response.raw
        self._plain = _plain_body(self._raw)
        self._count = 0
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        try:
            if self._plain is not None:
                count = self._plain.readinto(buffer)
                remaining = self._plain.length
                if not count and len(buffer) and remaining:
                    raise http.client.IncompleteRead(b"", remaining)
            else:
                count = self._raw.readinto(buffer)
        except Exception as exc:
            raise TransportError(
                f"reading {transport.redact_url(self._response.url)} failed after "
                f"{self._count} bytes: {type(exc).__name__}: {exc}; check the network and retry"
            ) from exc
        self._count += count
        if not count and len(buffer):
            self._eof = True
        return int(count)

    def close(self) -> None:
        if not self.closed:
            if self._eof:
                self._raw.release_conn()
            else:
                self._response.close()
        super().close()


class _ResumingStream(io.RawIOBase):
    """A blob's body that goes on where it broke: ``Range: bytes=N-`` on the same URL.

    Each break gets the retry policy's budget of tries; bytes received since the
    last break start a new budget (a flaky link that makes progress is not given up).
    """

    def __init__(
        self, fetcher: Fetcher, url: str, response: requests.Response, digest: Hash
    ) -> None:
        super().__init__()
        self._fetcher = fetcher
        self._url = url
        self._digest = digest
        self._stream: BinaryIO = cast(BinaryIO, _ResponseStream(response))
        self._count = 0
        self._tries = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        policy = self._fetcher.options.retry
        while True:
            try:
                count = int(self._stream.readinto(buffer) or 0)  # type: ignore[attr-defined]
            except TransportError as exc:
                self._tries += 1
                if policy.give_up(self._tries):
                    raise TransportError(
                        f"blob {self._digest} from {self._fetcher.repository.name}: the "
                        f"download broke {self._tries} times in a row at byte {self._count}; "
                        f"last error: {exc}",
                        method="GET",
                        url=exc.url,
                    ) from exc
                wait = policy.delay(self._tries) or 0.0
                logs.progress.debug(
                    "blob %s broke after %d bytes (%s); resuming", self._digest, self._count, exc
                )
                registry = self._fetcher.repository.registry.registry_str
                policy.wait(
                    wait,
                    reason=f"download of {self._digest} from {registry} broke at byte "
                    f"{self._count}",
                    attempt=self._tries + 1,
                )
                self._stream.close()
                self._stream = self._fetcher.reopen_blob(self._url, self._count, self._digest)
                continue
            if count:
                self._count += count
                self._tries = 0
            return count

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
        super().close()


class Fetcher:
    """Reads from one repository of one registry through ``session``."""

    def __init__(
        self, session: RegistrySession, repository: name.Repository, options: Options
    ) -> None:
        self.session = session
        self.repository = repository
        self.options = options

    @classmethod
    def for_repository(cls, repository: name.Repository, options: Options) -> Fetcher:
        """Return a fetcher with a pull-scoped session."""
        session = options.session(repository, [repository.scope("pull")])
        return cls(session, repository, options)

    def url(self, kind: str, identifier: str) -> str:
        """``<scheme>://<registry>/v2/<repo>/<kind>/<identifier>``."""
        return self.session.url(f"/v2/{self.repository.repository_str}/{kind}/{identifier}")

    # -- manifests ----------------------------------------------------------------------

    def fetch_manifest(
        self, identifier: str, accept: Sequence[str] = MANIFEST_ACCEPT
    ) -> tuple[bytes, Descriptor]:
        """GET a manifest by tag or digest; return its bytes and its descriptor.

        The digest is computed from the bytes; fetching by digest checks it.
        """
        url = self.url("manifests", identifier)
        try:
            # Not streamed: the transport reads the body inside its retries (a body
            # cut short is tried again), up to MAX_MANIFEST_SIZE.
            response = self.session.get(url, headers={"Accept": ",".join(accept)})
        except TransportError as exc:
            if isinstance(exc.__cause__, transport.ResponseTooLargeError):
                raise ManifestError(
                    f"manifest {self.repository.name}:{identifier} is over "
                    f"{MAX_MANIFEST_SIZE} bytes; refusing it"
                ) from exc
            raise
        check_response(response, 200)
        body = response.content
        separator = "@" if identifier.startswith("sha256:") else ":"
        where = f"{self.repository.name}{separator}{identifier}"
        digest = Hash.of(body)
        header_digest = response.headers.get("Docker-Content-Digest", "")
        # (A signed schema 1 manifest is addressed by its payload: checked below.)
        signed = header_digest == identifier and b'"signatures"' in body
        if identifier.startswith("sha256:") and str(digest) != identifier and not signed:
            raise ManifestError(
                f"manifest {where} has digest {digest}: the registry served the wrong content"
            )
        data = _parse_manifest(body, where)
        media_type = _media_type(response.headers.get("Content-Type", ""), data)
        if media_type == types.DOCKER_MANIFEST_SCHEMA1_SIGNED and header_digest:
            # A signed schema 1 manifest is addressed by its payload without the
            # signatures, which only the registry computes.
            digest = Hash.parse(header_digest)
            if identifier.startswith("sha256:") and str(digest) != identifier:
                raise ManifestError(
                    f"manifest {where} has digest {digest}: the registry served the wrong content"
                )
        return body, _descriptor_of(body, data, media_type, digest)

    def head_manifest(self, identifier: str, accept: Sequence[str] = MANIFEST_ACCEPT) -> Descriptor:
        """HEAD a manifest; return its descriptor from the headers."""
        url = self.url("manifests", identifier)
        response = self.session.head(url, headers={"Accept": ",".join(accept)})
        check_response(response, 200)
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        length = response.headers.get("Content-Length", "")
        digest = response.headers.get("Docker-Content-Digest", "")
        missing = [
            h
            for h, v in (
                ("Content-Type", media_type),
                ("Content-Length", length),
                ("Docker-Content-Digest", digest),
            )
            if not v
        ]
        if missing:
            raise ManifestError(
                f"HEAD {self.repository.name}:{identifier}: the registry sent no "
                f"{', '.join(missing)} header; use get() instead"
            )
        return Descriptor(media_type=media_type, size=int(length), digest=Hash.parse(digest))

    # -- blobs --------------------------------------------------------------------------

    def open_blob(self, digest: Hash, size: int | None, urls: Sequence[str] = ()) -> BinaryIO:
        """Open a blob, verified against ``digest`` and ``size`` as it is read.

        The registry is asked first, then each of ``urls`` (foreign layers).
        """
        failures: list[str] = []
        try:
            return self._open(self.url("blobs", str(digest)), digest, size, registry=True)
        except (TransportError, BlobFetchError) as exc:
            if not urls:
                raise
            failures.append(str(exc))
        for url in urls:
            try:
                self._check_foreign(url)
                return self._open(url, digest, size, registry=False)
            except (TransportError, BlobFetchError) as exc:
                failures.append(str(exc))
        raise BlobFetchError(
            f"blob {digest} could not be fetched from {self.repository.name} nor its URLs: "
            + "; ".join(failures)
        )

    def _check_foreign(self, url: str) -> None:
        parts = urlsplit(url)
        allowed = ("https", "http") if self.options.insecure else ("https",)
        if parts.scheme not in allowed or not parts.hostname:
            raise BlobFetchError(
                f"foreign layer URL {transport.redact_url(url)} is not https; "
                "use insecure=True to allow http"
            )
        if not self.options.insecure and (
            is_private_address(parts.hostname) or parts.hostname == "localhost"
        ):
            raise BlobFetchError(
                f"foreign layer URL {transport.redact_url(url)} points at a private or "
                "loopback address; use insecure=True if you trust it"
            )

    def _open(self, url: str, digest: Hash, size: int | None, *, registry: bool) -> BinaryIO:
        response = self._follow(url)
        check_response(response, 200)
        length = response.headers.get("Content-Length")
        if size is not None and length is not None and length.isdigit() and int(length) != size:
            response.close()
            raise BlobFetchError(
                f"blob {digest} from {transport.redact_url(response.url)} is {length} bytes, "
                f"want {size}: the registry serves the wrong content"
            )
        stream = cast(BinaryIO, _ResumingStream(self, url, response, digest))
        return VerifyingReader(stream, digest=digest, size=size).as_binary_io()

    def _follow(self, url: str, headers: dict[str, str] | None = None) -> requests.Response:
        """GET ``url`` as a stream, following redirects (to a blob store) ourselves.

        Credentials stay with the registry's host: the session adds them only there.
        """
        origin = urlsplit(self.session.url("/"))
        seen = {url}
        for _ in range(_MAX_REDIRECTS + 1):
            response = self.session.get(url, stream=True, allow_redirects=False, headers=headers)
            if response.status_code in (301, 302, 303, 307, 308) and "Location" in response.headers:
                target = urljoin(url, response.headers["Location"])
                response.close()
                self._check_redirect(origin.netloc, url, target)
                if target in seen:
                    raise BlobFetchError(
                        f"GET {transport.redact_url(target)}: the registry redirects in a "
                        "loop; report it to the registry's operator"
                    )
                seen.add(target)
                url = target
                continue
            return response
        raise BlobFetchError(
            f"GET {transport.redact_url(url)}: more than {_MAX_REDIRECTS} redirects"
        )

    def reopen_blob(self, url: str, offset: int, digest: Hash) -> BinaryIO:
        """The blob at ``url`` again, from byte ``offset`` on (``Range``), for a broken read.

        A registry that answers 206 sends the rest; one that answers 200 sends the
        whole blob again, whose first ``offset`` bytes are skipped here. Either way
        the caller's digest check covers the whole blob.
        """
        response = self._follow(url, {"Range": f"bytes={offset}-"})
        if response.status_code == 206:
            start = _content_range_start(response.headers.get("Content-Range", ""))
            if start != offset:
                response.close()
                raise BlobFetchError(
                    f"blob {digest}: asked for the bytes from {offset} on, the registry sent "
                    f"them from {start}; report it to the registry's operator"
                )
            return cast(BinaryIO, _ResponseStream(response))
        check_response(response, 200)
        stream = _ResponseStream(response)
        skip = memoryview(bytearray(min(READ_SIZE, max(offset, 1))))
        remaining = offset
        while remaining:
            count = stream.readinto(skip[: min(len(skip), remaining)])
            if not count:
                stream.close()
                raise BlobFetchError(
                    f"blob {digest}: the registry's second answer ended at byte "
                    f"{offset - remaining}, before {offset}"
                )
            remaining -= count
        return cast(BinaryIO, stream)

    def _check_redirect(self, origin: str, source: str, target: str) -> None:
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BlobFetchError(f"redirect to {transport.redact_url(target)} is not http(s)")
        if self.options.insecure:
            return
        if parts.scheme == "http" and urlsplit(source).scheme == "https":
            raise BlobFetchError(
                f"refusing the redirect from https to {transport.redact_url(target)}"
            )
        if host_of(parts.netloc) != host_of(origin) and is_private_address(parts.hostname):
            raise BlobFetchError(
                f"refusing the redirect to the private address {parts.hostname} "
                "on another host; use insecure=True if you trust it"
            )

    def blob_size(self, digest: Hash) -> int | None:
        """HEAD a blob: its size, or None when the repository does not have it."""
        response = self.session.head(self.url("blobs", str(digest)))
        if response.status_code == 404:
            return None
        check_response(response, 200)
        length = response.headers.get("Content-Length", "")
        return int(length) if length.isdigit() else -1


def _content_range_start(header: str) -> int | None:
    """The first byte of ``Content-Range: bytes START-END/TOTAL`` (None if unreadable)."""
    unit, _, rest = header.strip().partition(" ")
    start = rest.split("-", 1)[0]
    return int(start) if unit == "bytes" and start.isdigit() else None


def _parse_manifest(body: bytes, where: str) -> dict[str, object]:
    """The manifest's JSON object; a :class:`ManifestError` naming ``where`` if it is not one."""
    import json

    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ManifestError(
            f"manifest {where} is not JSON ({exc.__class__.__name__}: {exc}); the registry "
            "served something else: report it to the registry's operator"
        ) from None
    if not isinstance(data, dict):
        raise ManifestError(
            f"manifest {where} is JSON but not an object; the registry served something else"
        )
    return data


def _media_type(content_type: str, data: dict[str, object]) -> str:
    media_type = content_type.split(";")[0].strip()
    if media_type and media_type not in ("application/json", "text/plain"):
        return media_type
    found = data.get("mediaType")
    if isinstance(found, str) and found:
        return found
    if data.get("schemaVersion") == 1:
        return (
            types.DOCKER_MANIFEST_SCHEMA1_SIGNED
            if "signatures" in data
            else (types.DOCKER_MANIFEST_SCHEMA1)
        )
    return media_type


def _descriptor_of(
    body: bytes, data: dict[str, object], media_type: str, digest: Hash
) -> Descriptor:
    """The descriptor of a manifest, with its artifactType (else its config's media type)."""
    artifact_type = ""
    found = data.get("artifactType")
    config = data.get("config")
    if isinstance(found, str) and found:
        artifact_type = found
    elif isinstance(config, dict) and isinstance(config.get("mediaType"), str):
        artifact_type = config["mediaType"]
    return Descriptor(
        media_type=media_type, size=len(body), digest=digest, artifact_type=artifact_type
    )
