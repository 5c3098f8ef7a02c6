"""``referrers``: what points at a manifest, from the referrers API or the tag fallback."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from containerregistry import name, types
from containerregistry.remote._fetcher import Fetcher
from containerregistry.remote._options import OptionArgs, Options
from containerregistry.transport import RegistrySession, check_response, error_from_response
from containerregistry.v1 import Descriptor, Hash, IndexManifest

if TYPE_CHECKING:
    from typing_extensions import Unpack

#: Answers of a registry without the referrers API (distribution: 404; others 400, 406).
_UNSUPPORTED = frozenset({400, 404, 406})


def fallback_tag(digest: Hash) -> str:
    """The tag that holds the referrers index of ``digest``: ``sha256-<hex>``."""
    return f"{digest.algorithm}-{digest.hex}"


def _empty_index() -> IndexManifest:
    return IndexManifest(schema_version=2, media_type=types.OCI_IMAGE_INDEX, manifests=())


def _filtered(index: IndexManifest, artifact_type: str | None) -> IndexManifest:
    if not artifact_type:
        return index
    kept = tuple(d for d in index.manifests or () if d.artifact_type == artifact_type)
    return IndexManifest(
        schema_version=index.schema_version,
        media_type=index.media_type or types.OCI_IMAGE_INDEX,
        manifests=kept,
        annotations=index.annotations,
    )


def probe(
    session: RegistrySession, repository: name.Repository, digest: Hash
) -> IndexManifest | None:
    """GET the referrers API for ``digest``: its index, or None when the registry has no API."""
    url = session.url(f"/v2/{repository.repository_str}/referrers/{digest}")
    response = session.get(url, headers={"Accept": types.OCI_IMAGE_INDEX})
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    if response.status_code == 200 and content_type == types.OCI_IMAGE_INDEX:
        return IndexManifest.from_json(response.content)
    if response.status_code in _UNSUPPORTED or response.status_code == 200:
        response.close()
        return None
    raise error_from_response(response)


def referrers(
    ref: name.Digest, *, artifact_type: str | None = None, **options: Unpack[OptionArgs]
) -> IndexManifest:
    """Return the index of manifests whose ``subject`` is ``ref`` (a ``repo@sha256:...``).

    Asks the referrers API; a registry without it is read through the
    ``sha256-<hex>`` tag (unless ``referrers_tag_fallback=False``, then an error). A
    missing tag gives an empty index. ``artifact_type`` (default None: all) keeps
    only the referrers of that type (also applied when the registry ignores it).
    """
    opts = Options.make(options)
    fetcher = Fetcher.for_repository(ref.context, opts)
    digest = Hash.parse(ref.digest_str)
    found = probe(fetcher.session, ref.context, digest)
    if found is not None:
        return _filtered(found, artifact_type)
    if not opts.referrers_tag_fallback:
        from containerregistry.remote._errors import RemoteError

        raise RemoteError(
            f"{ref.context.registry.registry_str} has no referrers API and the tag "
            "fallback is off; pass referrers_tag_fallback=True"
        )
    return _filtered(read_fallback(fetcher, digest), artifact_type)


def read_fallback(fetcher: Fetcher, digest: Hash) -> IndexManifest:
    """Return the index at the fallback tag of ``digest`` (empty when there is none)."""
    response = fetcher.session.get(
        fetcher.url("manifests", fallback_tag(digest)),
        headers={"Accept": f"{types.OCI_IMAGE_INDEX},{types.DOCKER_MANIFEST_LIST}"},
    )
    if response.status_code == 404:
        response.close()
        return _empty_index()
    check_response(response, 200)
    return IndexManifest.from_json(response.content)


def referrer_descriptor(raw: bytes, media_type: str) -> tuple[Descriptor, Hash] | None:
    """For a manifest with a ``subject``: its descriptor as a referrer, and the subject digest."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("subject"), dict):
        return None
    subject = data["subject"].get("digest")
    if not isinstance(subject, str):
        return None
    artifact_type = data.get("artifactType")
    if not isinstance(artifact_type, str) or not artifact_type:
        config = data.get("config")
        artifact_type = config.get("mediaType", "") if isinstance(config, dict) else ""
    annotations = data.get("annotations")
    return (
        Descriptor(
            media_type=media_type,
            size=len(raw),
            digest=Hash.of(raw),
            artifact_type=artifact_type if isinstance(artifact_type, str) else "",
            annotations=annotations if isinstance(annotations, dict) else {},
        ),
        Hash.parse(subject),
    )


def update_fallback(fetcher: Fetcher, subject: Hash, referrer: Descriptor) -> None:
    """Add ``referrer`` to the fallback index of ``subject`` (sorted by digest) and PUT it.

    Like every client of the tag scheme this is read-modify-write without a lock:
    two pushes racing for one subject can lose an entry.
    """
    index = read_fallback(fetcher, subject)
    children = list(index.manifests or ())
    if any(child.digest == referrer.digest for child in children):
        return
    children.append(referrer)
    children.sort(key=lambda d: str(d.digest))
    updated = IndexManifest(
        schema_version=2,
        media_type=types.OCI_IMAGE_INDEX,
        manifests=tuple(children),
        annotations=index.annotations,
    )
    response = fetcher.session.put(
        fetcher.url("manifests", fallback_tag(subject)),
        data=updated.to_json(),
        headers={"Content-Type": types.OCI_IMAGE_INDEX},
    )
    check_response(response, 200, 201, 202)
    response.close()
