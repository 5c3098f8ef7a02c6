"""Credentials for registries: authenticators and the keychains that find them.

An :class:`Authenticator` hands the transport an :class:`AuthConfig`; a
:class:`Keychain` picks the authenticator for a registry or repository, reading
docker's ``config.json``, podman's ``auth.json`` and ``docker-credential-*`` helpers
the way docker and go-containerregistry do.
"""

from __future__ import annotations

from containerregistry.lazy import attach

# Not typing's: importing typing would cost every first import what laziness saves.
TYPE_CHECKING = False
if TYPE_CHECKING:
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

# Names load with their module on first use, so that importing the package (every
# CLI start) pays only for what the command calls (see "Cheap start").
_MODULE_OF: dict[str, str] = {
    "ANONYMOUS": "_authenticator",
    "AuthConfig": "_config",
    "AuthConfigError": "_config",
    "Authenticator": "_authenticator",
    "Basic": "_authenticator",
    "Bearer": "_authenticator",
    "config_key": "_configfile",
    "ConfigFile": "_configfile",
    "CredentialHelper": "_helper",
    "CredentialHelperError": "_helper",
    "decode_auth": "_config",
    "DEFAULT_AUTH_KEY": "_configfile",
    "default_keychain": "_keychain",
    "DefaultKeychain": "_keychain",
    "docker_config_dir": "_configfile",
    "encode_auth": "_config",
    "find_config": "_configfile",
    "from_config": "_authenticator",
    "FromConfig": "_authenticator",
    "is_anonymous": "_authenticator",
    "Keychain": "_keychain",
    "keychain_from_helper": "_keychain",
    "login": "_login",
    "LoginError": "_login",
    "logout": "_login",
    "multi_keychain": "_keychain",
    "refreshing_keychain": "_keychain",
    "RegistryResource": "_keychain",
    "RepositoryResource": "_keychain",
    "Resource": "_keychain",
    "resource_keys": "_keychain",
    "TOKEN_USERNAME": "_config",
}

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


__getattr__, __dir__ = attach(__name__, _MODULE_OF, __all__)
