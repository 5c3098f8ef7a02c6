"""Google Container Registry and Artifact Registry.

:data:`KEYCHAIN` finds Google credentials (application default credentials through
google-auth, then gcloud) for ``gcr.io``, ``*.gcr.io``, ``*.pkg.dev`` and
``*.google.com``; :func:`list` reads GCR's extended tag listing (children, manifests
with sizes and times) and :func:`walk` visits a whole tree of repositories.
"""

from containerregistry.google._auth import (
    ACCESS_TOKEN_USERNAME,
    CLOUD_PLATFORM_SCOPE,
    JSON_KEY_USERNAME,
    REFRESH_MARGIN,
    TOKEN_USERNAME,
    AccessToken,
    CredentialsTokenSource,
    GcloudTokenSource,
    ReusingTokenSource,
    TokenSource,
    TokenSourceAuthenticator,
    application_default_authenticator,
    gcloud_authenticator,
    json_key_authenticator,
    parse_gcloud_output,
    service_account_authenticator,
    token_authenticator,
    token_source_authenticator,
)
from containerregistry.google._errors import GoogleAuthError, GoogleError, ListingError
from containerregistry.google._keychain import (
    HOSTS_ENV,
    KEYCHAIN,
    GoogleKeychain,
    is_google_host,
)
from containerregistry.google._list import (
    GCR_RETRY,
    GOOGLE_PAGE_SIZE,
    ListArgs,
    ManifestInfo,
    Tags,
)
from containerregistry.google._list import list_repository as list
from containerregistry.google._walk import WalkFunction, walk

__all__ = [
    "ACCESS_TOKEN_USERNAME",
    "CLOUD_PLATFORM_SCOPE",
    "GCR_RETRY",
    "GOOGLE_PAGE_SIZE",
    "HOSTS_ENV",
    "JSON_KEY_USERNAME",
    "KEYCHAIN",
    "REFRESH_MARGIN",
    "TOKEN_USERNAME",
    "AccessToken",
    "CredentialsTokenSource",
    "GcloudTokenSource",
    "GoogleAuthError",
    "GoogleError",
    "GoogleKeychain",
    "ListArgs",
    "ListingError",
    "ManifestInfo",
    "ReusingTokenSource",
    "Tags",
    "TokenSource",
    "TokenSourceAuthenticator",
    "WalkFunction",
    "application_default_authenticator",
    "gcloud_authenticator",
    "is_google_host",
    "json_key_authenticator",
    "list",
    "parse_gcloud_output",
    "service_account_authenticator",
    "token_authenticator",
    "token_source_authenticator",
    "walk",
]
