"""Manifest routes: GET, HEAD, PUT and DELETE by tag or digest, tags/list, _catalog
and the referrers API."""

from __future__ import annotations

import datetime
import json
import re
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from containerregistry.registry._digests import parse_digest, sha256_digest
from containerregistry.registry._errors import RegistryError
from containerregistry.registry._http import Request, Response
from containerregistry.registry._storage import INDEX_MEDIA_TYPES, ManifestRecord

if TYPE_CHECKING:
    from containerregistry.registry._storage import Storage

#: The spec asks registries to accept manifests of at least 4 MiB; larger ones are
#: refused (413) rather than read into memory.
MAX_MANIFEST_SIZE = 4 * 1024 * 1024
#: Configs read to find an image's creation time for the GCR listing; bigger ones
#: are skipped (the time is then 0), so a PUT never reads a huge blob.
_MAX_CONFIG_READ = 1 << 20
TAG_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
_SCHEMA1_TYPES = frozenset(
    {
        "application/vnd.docker.distribution.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v1+prettyjws",
    }
)
_FRACTION = re.compile(r"(\.\d{1,6})\d*")


def _parse_created(text: object) -> int:
    """Unix milliseconds of an RFC 3339 time (Go writes up to 9 fraction digits); 0 if bad."""
    if not isinstance(text, str) or not text:
        return 0
    normalized = _FRACTION.sub(r"\1", text.strip()).replace("Z", "+00:00").replace("z", "+00:00")
    try:
        moment = datetime.datetime.fromisoformat(normalized)
    except ValueError:
        return 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return int(moment.timestamp() * 1000)


def _descriptor_size(value: object) -> int:
    if isinstance(value, dict) and isinstance(value.get("size"), int):
        return int(value["size"])
    return 0


def build_record(
    digest: str, media_type: str, data: bytes, *, uploaded_ms: int, created_ms: int = 0
) -> ManifestRecord:
    """A :class:`ManifestRecord` for already validated manifest bytes."""
    try:
        document = json.loads(data)
    except ValueError:
        document = {}
    if not isinstance(document, dict):
        document = {}
    subject = document.get("subject")
    subject_digest = subject.get("digest") if isinstance(subject, dict) else None
    artifact_type = document.get("artifactType")
    config = document.get("config")
    if not isinstance(artifact_type, str):
        artifact_type = None
        if isinstance(config, dict) and isinstance(config.get("mediaType"), str):
            artifact_type = config["mediaType"]
    annotations = document.get("annotations")
    children = document.get("manifests") if "manifests" in document else document.get("layers")
    size = _descriptor_size(config) + sum(
        _descriptor_size(child) for child in (children if isinstance(children, list) else [])
    )
    return ManifestRecord(
        digest=digest,
        media_type=media_type,
        data=data,
        uploaded_ms=uploaded_ms,
        created_ms=created_ms,
        subject=subject_digest if isinstance(subject_digest, str) else None,
        artifact_type=artifact_type,
        annotations=annotations if isinstance(annotations, dict) else None,
        image_size=size,
    )


def referenced_blobs(record: ManifestRecord) -> list[str]:
    """The digests of the blobs (config and distributable layers) an image manifest
    refers to; none for an index, whose children are manifests."""
    try:
        document = json.loads(record.data)
    except ValueError:
        return []
    if not isinstance(document, dict) or "manifests" in document:
        return []
    descriptors = [document.get("config"), *(document.get("layers") or [])]
    return [
        str(d["digest"])
        for d in descriptors
        if isinstance(d, dict) and isinstance(d.get("digest"), str) and _is_distributable(d)
    ]


def created_ms(storage: Storage, repository: str, record: ManifestRecord) -> int:
    """Unix milliseconds of the image config's ``created`` (0 if none or unreadable)."""
    document = json.loads(record.data) if record.data.startswith(b"{") else {}
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict) or not isinstance(config.get("digest"), str):
        return 0
    opened = storage.open_blob(repository, config["digest"])
    if opened is None:
        return 0
    source, size = opened
    if isinstance(source, bytes):
        data = source
    else:
        with source:
            data = source.read(_MAX_CONFIG_READ) if size <= _MAX_CONFIG_READ else b""
    try:
        parsed = json.loads(data)
    except ValueError:
        return 0
    return _parse_created(parsed.get("created")) if isinstance(parsed, dict) else 0


def _is_distributable(descriptor: dict[str, Any]) -> bool:
    """Foreign and non-distributable layers may live elsewhere (their ``urls``)."""
    media_type = str(descriptor.get("mediaType", ""))
    return "foreign" not in media_type and "nondistributable" not in media_type


def _check_descriptor(descriptor: object, where: str) -> dict[str, Any]:
    if not isinstance(descriptor, dict):
        raise RegistryError("MANIFEST_INVALID", f"{where} is not a descriptor object")
    digest = descriptor.get("digest")
    if not isinstance(digest, str):
        raise RegistryError("MANIFEST_INVALID", f"{where} has no digest")
    parse_digest(digest, code="MANIFEST_INVALID", what=f"the digest of {where}")
    size = descriptor.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise RegistryError("MANIFEST_INVALID", f"{where} has no valid size")
    return descriptor


class ManifestRoutes:
    """Handlers for ``/v2/<name>/manifests/<reference>`` and the listing routes."""

    def __init__(self, storage: Storage, *, adopt_blobs: bool = False) -> None:
        self.storage = storage
        self.adopt_blobs = adopt_blobs

    # -- manifests -----------------------------------------------------------------

    def _reference(self, reference: str) -> str:
        if ":" in reference:
            return str(parse_digest(reference, code="DIGEST_INVALID", what="the reference"))
        if not TAG_PATTERN.fullmatch(reference):
            raise RegistryError(
                "TAG_INVALID",
                f"{reference!r} is not a valid tag: use up to 128 letters, digits, '_', '.' "
                "or '-', not starting with '.' or '-'",
            )
        return reference

    def _lookup(self, repository: str, reference: str) -> ManifestRecord:
        # A reference that cannot be a tag names no manifest: 404, as Distribution and
        # the conformance suite (``.INVALID_MANIFEST_NAME``) expect. Only a PUT to it
        # is a client error (TAG_INVALID).
        record = None
        if ":" in reference or TAG_PATTERN.fullmatch(reference):
            record = self.storage.get_manifest(repository, self._reference(reference))
        if record is None:
            raise RegistryError(
                "MANIFEST_UNKNOWN",
                f"manifest {reference} is not in repository {repository}",
                detail={"Name": repository, "Revision": reference},
            )
        return record

    def get(self, request: Request, repository: str, reference: str) -> Response:
        record = self._lookup(repository, reference)
        headers = [
            ("Content-Type", record.media_type),
            ("Docker-Content-Digest", record.digest),
        ]
        if request.method == "HEAD":
            return Response(200, headers, b"", head_length=len(record.data))
        return Response(200, headers, record.data)

    def delete(self, request: Request, repository: str, reference: str) -> Response:
        if ":" in reference:
            reference = self._reference(reference)
            found = self.storage.delete_manifest(repository, reference)
        else:
            found = bool(TAG_PATTERN.fullmatch(reference)) and self.storage.delete_tag(
                repository, reference
            )
        if not found:
            raise RegistryError(
                "MANIFEST_UNKNOWN", f"manifest {reference} is not in repository {repository}"
            )
        return Response(202)

    def put(self, request: Request, repository: str, reference: str) -> Response:
        reference = self._reference(reference)
        data = request.read_body(MAX_MANIFEST_SIZE, stalled="MANIFEST_INVALID")
        if data is None:
            raise RegistryError(
                "MANIFEST_INVALID",
                f"the manifest is larger than {MAX_MANIFEST_SIZE} bytes (4 MiB), the most "
                "this registry accepts",
                status=413,
            )
        digest = sha256_digest(data)
        if ":" in reference and reference != digest:
            raise RegistryError(
                "DIGEST_INVALID",
                f"the manifest's digest is {digest}, not {reference} as in the URL",
            )
        try:
            document = json.loads(data)
        except ValueError as exc:
            raise RegistryError("MANIFEST_INVALID", f"the manifest is not JSON: {exc}") from None
        if not isinstance(document, dict):
            raise RegistryError("MANIFEST_INVALID", "the manifest is not a JSON object")
        content_type = request.header("Content-Type").split(";")[0].strip()
        body_type = document.get("mediaType")
        if body_type is not None and not isinstance(body_type, str):
            raise RegistryError("MANIFEST_INVALID", "the manifest's mediaType is not a string")
        if content_type and body_type and content_type != body_type:
            raise RegistryError(
                "MANIFEST_INVALID",
                f"Content-Type {content_type} differs from the manifest's mediaType {body_type}",
            )
        media_type = content_type or body_type or (OCI_INDEX if "manifests" in document else "")
        media_type = media_type or OCI_MANIFEST
        self._validate(repository, media_type, document)
        record = build_record(
            digest,
            media_type,
            data,
            uploaded_ms=int(time.time() * 1000),
        )
        tags = [] if ":" in reference else [reference]
        self.storage.put_manifest(repository, record, tags)
        headers = [
            ("Location", f"/v2/{repository}/manifests/{digest}"),
            ("Docker-Content-Digest", digest),
        ]
        if record.subject:
            headers.append(("OCI-Subject", record.subject))
        return Response(201, headers)

    def _validate(self, repository: str, media_type: str, document: dict[str, Any]) -> None:
        """Check that everything the manifest refers to is in ``repository``."""
        if media_type in _SCHEMA1_TYPES or document.get("schemaVersion") == 1:
            return
        if "subject" in document:
            _check_descriptor(document["subject"], "the subject")
        if media_type in INDEX_MEDIA_TYPES or "manifests" in document:
            # Distribution takes a missing or null list as empty (Go's nil slice):
            # ggcr writes ``"manifests": null`` for an index filtered down to nothing.
            children = document.get("manifests")
            if children is None:
                children = []
            if not isinstance(children, list):
                raise RegistryError("MANIFEST_INVALID", "the index's manifests is not a list")
            for number, child in enumerate(children):
                descriptor = _check_descriptor(child, f"manifests[{number}]")
                if self.storage.get_manifest(repository, descriptor["digest"]) is None:
                    raise RegistryError(
                        "MANIFEST_UNKNOWN",
                        f"the index refers to manifest {descriptor['digest']}, which is not in "
                        f"repository {repository}; push it first",
                        status=400,
                        detail={"digest": descriptor["digest"]},
                    )
            return
        config = document.get("config")
        layers = document.get("layers", [])
        if config is None or not isinstance(layers, list):
            raise RegistryError(
                "MANIFEST_INVALID", f"a {media_type} manifest needs a config and a layers list"
            )
        descriptors = [_check_descriptor(config, "the config")]
        descriptors += [
            _check_descriptor(layer, f"layers[{number}]") for number, layer in enumerate(layers)
        ]
        for descriptor in descriptors:
            if not _is_distributable(descriptor):
                continue
            digest = descriptor["digest"]
            if self.storage.blob_size(repository, digest) is not None:
                continue
            if not (self.adopt_blobs and self.storage.adopt_blob(repository, digest)):
                raise RegistryError(
                    "MANIFEST_BLOB_UNKNOWN",
                    f"the manifest refers to blob {descriptor['digest']}, which this registry "
                    "does not have; upload it first",
                    detail={"digest": descriptor["digest"]},
                )

    # -- listings --------------------------------------------------------------------

    def tags_list(self, request: Request, repository: str) -> Response:
        tags = self.storage.tags(repository)
        if tags is None:
            raise RegistryError(
                "NAME_UNKNOWN",
                f"repository {repository} is not known to this registry",
                detail={"Name": repository},
            )
        page, link = paginate(request, sorted(tags), f"/v2/{repository}/tags/list")
        return Response.json(200, {"name": repository, "tags": page}, link)

    def catalog(self, request: Request) -> Response:
        page, link = paginate(request, self.storage.repositories(), "/v2/_catalog")
        return Response.json(200, {"repositories": page}, link)

    def referrers(self, request: Request, repository: str, digest: str) -> Response:
        subject = str(parse_digest(digest, code="DIGEST_INVALID", what="the subject"))
        wanted = request.arg("artifactType")
        descriptors = []
        for record in sorted(self.storage.referrers(repository, subject), key=lambda r: r.digest):
            if wanted is not None and record.artifact_type != wanted:
                continue
            descriptor: dict[str, object] = {
                "mediaType": record.media_type,
                "digest": record.digest,
                "size": len(record.data),
            }
            if record.artifact_type:
                descriptor["artifactType"] = record.artifact_type
            if record.annotations:
                descriptor["annotations"] = record.annotations
            descriptors.append(descriptor)
        headers = [("Content-Type", OCI_INDEX)]
        if wanted is not None:
            headers.append(("OCI-Filters-Applied", "artifactType"))
        document = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": descriptors}
        return Response(200, headers, json.dumps(document, separators=(",", ":")).encode())


def paginate(
    request: Request, names: list[str], path: str
) -> tuple[list[str], list[tuple[str, str]]]:
    """Apply ``last`` and ``n`` to sorted ``names``; add a ``Link`` when more remain."""
    last = request.arg("last")
    if last:
        names = [name for name in names if name > last]
    count_text = request.arg("n")
    if count_text is None or count_text == "":
        return names, []
    try:
        count = int(count_text)
    except ValueError:
        count = -1
    if count < 0:
        raise RegistryError(
            "PAGINATION_NUMBER_INVALID",
            f"n={count_text!r} is not a count of entries; use a whole number",
            status=400,
        )
    page = names[:count]
    if len(names) <= count or not page:
        return page, []
    next_url = f"{path}?n={count}&last={quote(page[-1], safe='')}"
    return page, [("Link", f'<{next_url}>; rel="next"')]
