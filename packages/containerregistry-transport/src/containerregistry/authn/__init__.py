"""Credentials for registries: authenticators and the keychains that find them.

An :class:`Authenticator` hands the transport an :class:`AuthConfig`; a
:class:`Keychain` picks the authenticator for a registry or repository, reading
docker's ``config.json``, podman's ``auth.json`` and ``docker-credential-*`` helpers
the way docker and go-containerregistry do.
"""

from containerregistry.authn._authenticator import (
    ANONYMOUS,
    Authenticator,
    Basic,
    Bearer,
    FromConfig,
    from_config,
    is_anonymous,
)
from containerregistry.authn._config import (
    TOKEN_USERNAME,
    AuthConfig,
    AuthConfigError,
    decode_auth,
    encode_auth,
)
from containerregistry.authn._configfile import (
    DEFAULT_AUTH_KEY,
    ConfigFile,
    config_key,
    docker_config_dir,
    find_config,
)
from containerregistry.authn._helper import CredentialHelper, CredentialHelperError
from containerregistry.authn._keychain import (
    DefaultKeychain,
    Keychain,
    RegistryResource,
    RepositoryResource,
    Resource,
    default_keychain,
    keychain_from_helper,
    multi_keychain,
    refreshing_keychain,
    resource_keys,
)
from containerregistry.authn._login import LoginError, login, logout

__all__ = [
    "ANONYMOUS",
    "DEFAULT_AUTH_KEY",
    "TOKEN_USERNAME",
    "AuthConfig",
    "AuthConfigError",
    "Authenticator",
    "Basic",
    "Bearer",
    "ConfigFile",
    "CredentialHelper",
    "CredentialHelperError",
    "DefaultKeychain",
    "FromConfig",
    "Keychain",
    "LoginError",
    "RegistryResource",
    "RepositoryResource",
    "Resource",
    "config_key",
    "decode_auth",
    "default_keychain",
    "docker_config_dir",
    "encode_auth",
    "find_config",
    "from_config",
    "is_anonymous",
    "keychain_from_helper",
    "login",
    "logout",
    "multi_keychain",
    "refreshing_keychain",
    "resource_keys",
]
