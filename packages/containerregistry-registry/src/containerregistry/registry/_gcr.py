"""The GCR flavour of ``tags/list``: GCR's extended JSON with ``child`` and ``manifest``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from containerregistry.registry._errors import RegistryError
from containerregistry.registry._http import Request, Response
from containerregistry.registry._manifests import created_ms, paginate

if TYPE_CHECKING:
    from containerregistry.registry._storage import Storage


def gcr_tags_list(storage: Storage, request: Request, repository: str) -> Response:
    """``{"child", "manifest", "name", "tags"}`` as GCR answers, numbers as strings.

    ``child`` names the repositories one level below ``repository``; a name with
    children but no manifests of its own is listed too (GCR's project roots are).
    """
    tags = storage.tags(repository)
    prefix = repository + "/"
    below = [name[len(prefix) :] for name in storage.repositories() if name.startswith(prefix)]
    children = sorted({name.split("/")[0] for name in below})
    if tags is None and not children:
        raise RegistryError(
            "NAME_UNKNOWN",
            f"repository {repository} is not known to this registry",
            detail={"Name": repository},
        )
    tags = tags or {}
    manifests: dict[str, dict[str, object]] = {}
    for record in sorted(storage.manifests(repository), key=lambda r: r.digest):
        manifests[record.digest] = {
            "imageSizeBytes": str(record.image_size),
            # GCR still sends this legacy field; ggcr ignores it.
            "layerId": "",
            "mediaType": record.media_type,
            "tag": sorted(tag for tag, digest in tags.items() if digest == record.digest),
            "timeCreatedMs": str(created_ms(storage, repository, record)),
            "timeUploadedMs": str(record.uploaded_ms),
        }
    page, link = paginate(request, sorted(tags), f"/v2/{repository}/tags/list")
    document = {"child": children, "manifest": manifests, "name": repository, "tags": page}
    headers = [("Content-Type", "application/json"), *link]
    return Response(200, headers, json.dumps(document, separators=(",", ":")).encode())
