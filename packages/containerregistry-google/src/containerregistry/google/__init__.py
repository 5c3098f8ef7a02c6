"""Google Container Registry and Artifact Registry.

:data:`KEYCHAIN` finds Google credentials (application default credentials through
google-auth, then gcloud) for ``gcr.io``, ``*.gcr.io``, ``*.pkg.dev`` and
``*.google.com``; :func:`list` reads GCR's extended tag listing (children, manifests
with sizes and times) and :func:`walk` visits a whole tree of repositories.
"""

from __future__ import annotations

from containerregistry.lazy import attach

# Not typing's: importing typing would cost every first import what laziness saves.
TYPE_CHECKING = False
if TYPE_CHECKING:
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

# Names load with their module on first use, so that importing the package (every
# CLI start) pays only for what the command calls (see "Cheap start").
_MODULE_OF: dict[str, str] = {
    "ACCESS_TOKEN_USERNAME": "_auth",
    "AccessToken": "_auth",
    "application_default_authenticator": "_auth",
    "CLOUD_PLATFORM_SCOPE": "_auth",
    "CredentialsTokenSource": "_auth",
    "gcloud_authenticator": "_auth",
    "GcloudTokenSource": "_auth",
    "GCR_RETRY": "_list",
    "GOOGLE_PAGE_SIZE": "_list",
    "GoogleAuthError": "_errors",
    "GoogleError": "_errors",
    "GoogleKeychain": "_keychain",
    "HOSTS_ENV": "_keychain",
    "is_google_host": "_keychain",
    "json_key_authenticator": "_auth",
    "JSON_KEY_USERNAME": "_auth",
    "KEYCHAIN": "_keychain",
    "list": "_list:list_repository",
    "ListArgs": "_list",
    "ListingError": "_errors",
    "ManifestInfo": "_list",
    "parse_gcloud_output": "_auth",
    "REFRESH_MARGIN": "_auth",
    "ReusingTokenSource": "_auth",
    "service_account_authenticator": "_auth",
    "Tags": "_list",
    "token_authenticator": "_auth",
    "token_source_authenticator": "_auth",
    "TOKEN_USERNAME": "_auth",
    "TokenSource": "_auth",
    "TokenSourceAuthenticator": "_auth",
    "walk": "_walk",
    "WalkFunction": "_walk",
}
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


__getattr__, __dir__ = attach(__name__, _MODULE_OF, __all__)
