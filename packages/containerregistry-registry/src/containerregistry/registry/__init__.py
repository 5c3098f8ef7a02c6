"""An embedded OCI Distribution Spec v1.1 registry for local development and CI.

:class:`Registry` is a WSGI application over :class:`MemoryStorage` (default),
:class:`DiskStorage` or :class:`GcsStorage`, with optional :class:`BasicAuth` or
:class:`TokenAuth` and a GCR flavour; :func:`serve` runs it under gunicorn or the
threaded HTTP/1.1 server of :func:`make_server`.
"""

from containerregistry.registry._app import Registry
from containerregistry.registry._auth import (
    AuthConfigError,
    Authorizer,
    BasicAuth,
    TokenAuth,
    load_users,
    parse_user,
)
from containerregistry.registry._driver import Driver, FilesystemDriver, MemoryDriver
from containerregistry.registry._driver_gcs import GcsDriver, StorageUrlError
from containerregistry.registry._errors import RegistryError
from containerregistry.registry._gc import GcReport, collect_garbage
from containerregistry.registry._server import (
    RegistryServer,
    ServerAddressError,
    ServerListenError,
    make_server,
    parse_address,
)
from containerregistry.registry._serving import ServerUnavailableError, serve
from containerregistry.registry._storage import ManifestRecord, Storage
from containerregistry.registry._storage_disk import DiskStorage
from containerregistry.registry._storage_gcs import GcsStorage
from containerregistry.registry._storage_memory import MemoryStorage

__all__ = [
    "AuthConfigError",
    "Authorizer",
    "BasicAuth",
    "DiskStorage",
    "Driver",
    "FilesystemDriver",
    "GcReport",
    "GcsDriver",
    "GcsStorage",
    "ManifestRecord",
    "MemoryDriver",
    "MemoryStorage",
    "Registry",
    "RegistryError",
    "RegistryServer",
    "ServerAddressError",
    "ServerListenError",
    "ServerUnavailableError",
    "Storage",
    "StorageUrlError",
    "TokenAuth",
    "collect_garbage",
    "load_users",
    "make_server",
    "parse_address",
    "parse_user",
    "serve",
]
