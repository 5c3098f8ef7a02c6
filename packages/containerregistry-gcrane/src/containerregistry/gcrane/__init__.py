"""gcrane: crane for Google Container Registry and Artifact Registry.

:func:`copy_repository` copies a whole tree of repositories, only what the
destination lacks; :func:`untagged` finds the images no tag points at and
:func:`delete_images` removes them. Credentials come from :data:`KEYCHAIN`
(Google's, then docker's).
"""

from __future__ import annotations

from containerregistry.lazy import attach

# Not typing's: importing typing would cost every first import what laziness saves.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from containerregistry.gcrane._copy import CopyReport, ImageCopy, copy, copy_repository
    from containerregistry.gcrane._errors import GcraneError, RepositoryCopyError
    from containerregistry.gcrane._gc import DeleteReport, Untagged, delete_images, untagged
    from containerregistry.gcrane._keychain import KEYCHAIN, GcraneKeychain
    from containerregistry.gcrane._options import GcraneArgs

# Names load with their module on first use: every ``gcrane`` run imports this
# package (for the keychain), and must not pay for the API it does not call.
_MODULE_OF: dict[str, str] = {
    "copy": "_copy",
    "copy_repository": "_copy",
    "CopyReport": "_copy",
    "delete_images": "_gc",
    "DeleteReport": "_gc",
    "GcraneArgs": "_options",
    "GcraneError": "_errors",
    "GcraneKeychain": "_keychain",
    "ImageCopy": "_copy",
    "KEYCHAIN": "_keychain",
    "RepositoryCopyError": "_errors",
    "Untagged": "_gc",
    "untagged": "_gc",
}

__all__ = [
    "KEYCHAIN",
    "CopyReport",
    "DeleteReport",
    "GcraneArgs",
    "GcraneError",
    "GcraneKeychain",
    "ImageCopy",
    "RepositoryCopyError",
    "Untagged",
    "copy",
    "copy_repository",
    "delete_images",
    "untagged",
]


__getattr__, __dir__ = attach(__name__, _MODULE_OF, __all__)
