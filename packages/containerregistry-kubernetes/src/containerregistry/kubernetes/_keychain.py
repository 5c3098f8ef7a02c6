"""A keychain made of image pull secrets, looked up as the kubelet does."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeAlias

from containerregistry.authn import (
    ANONYMOUS,
    AuthConfig,
    AuthConfigError,
    Authenticator,
    Resource,
    from_config,
    resource_keys,
)
from containerregistry.kubernetes._cluster import ClusterReader, StrPath, cluster_client
from containerregistry.kubernetes._match import BadKeyError, normalize_key, registry_matches
from containerregistry.logs import warn

#: The secret type ``kubectl create secret docker-registry`` makes: a whole docker
#: ``config.json`` (``{"auths": {...}}``) under the key ``.dockerconfigjson``.
DOCKER_CONFIG_JSON_TYPE = "kubernetes.io/dockerconfigjson"
#: The older secret type: the bare ``auths`` map of ``~/.dockercfg`` under ``.dockercfg``.
DOCKERCFG_TYPE = "kubernetes.io/dockercfg"

_DATA_KEYS = {DOCKER_CONFIG_JSON_TYPE: ".dockerconfigjson", DOCKERCFG_TYPE: ".dockercfg"}

#: A Secret: its JSON as the API server returns it (``{"type", "data", "metadata"}``,
#: ``data`` base64; a manifest's plain ``stringData`` is read too), or an object with
#: ``type``, ``data``, ``string_data`` and ``metadata`` attributes such as the
#: ``kubernetes`` client's ``V1Secret``.
Secret: TypeAlias = Mapping[str, Any] | object


class SecretsKeychain:
    """Credentials from pull secrets, matched against images as the kubelet matches them.

    Every registry key of every secret is normalized (see
    :func:`~containerregistry.kubernetes.normalize_key`); keys are tried in reverse
    lexicographic order, so ``quay.io/team`` is tried before ``quay.io``. For one key,
    the secret given first wins. Nothing matching gives :data:`ANONYMOUS`.
    """

    def __init__(self, entries: Iterable[tuple[str, AuthConfig]] = ()) -> None:
        self._credentials: dict[str, list[AuthConfig]] = {}
        for key, config in entries:
            self._credentials.setdefault(key, []).append(config)
        self._index = tuple(sorted(self._credentials, reverse=True))

    @property
    def keys(self) -> tuple[str, ...]:
        """The normalized registry keys in the order they are tried."""
        return self._index

    def lookup(self, target: Resource) -> list[AuthConfig]:
        """Return every credential whose key matches ``target``, the one used first.

        ``target`` is a registry, a repository (a tag or digest counts as its
        repository) or a ``host[:port][/repository]`` string.
        """
        image = resource_keys(target)[0]
        found: list[AuthConfig] = []
        for key in self._index:
            if registry_matches(key, image):
                found.extend(self._credentials[key])
        return found

    def resolve(self, target: Resource) -> Authenticator:
        """Return the first matching credential (:data:`ANONYMOUS` when none matches)."""
        found = self.lookup(target)
        if not found:
            return ANONYMOUS
        return from_config(found[0])

    def __repr__(self) -> str:
        return f"SecretsKeychain(keys={list(self._index)!r})"


def keychain_from_secrets(secrets: Iterable[Secret]) -> SecretsKeychain:
    """Return a keychain of the docker credentials in ``secrets``, earlier secrets first.

    Only secrets of type ``kubernetes.io/dockerconfigjson`` (key ``.dockerconfigjson``)
    and ``kubernetes.io/dockercfg`` (key ``.dockercfg``) count; others are skipped. A
    secret or entry that does not parse is skipped with a warning on
    :data:`containerregistry.logs.warn`, so one broken secret does not hide the rest.
    """
    entries: list[tuple[str, AuthConfig]] = []
    for secret in secrets:
        entries.extend(_secret_entries(secret))
    return SecretsKeychain(entries)


def _field(obj: object, json_name: str, attribute: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(json_name)
    return getattr(obj, attribute, None)


def secret_label(secret: Secret) -> str:
    """Return ``namespace/name`` of ``secret`` for messages (``?`` for what is unknown)."""
    metadata = _field(secret, "metadata", "metadata")
    name = _field(metadata, "name", "name") if metadata is not None else None
    namespace = _field(metadata, "namespace", "namespace") if metadata is not None else None
    return f"{namespace or '?'}/{name or '?'}"


def _secret_payload(secret: Secret, key: str) -> bytes | None:
    data = _field(secret, "data", "data")
    if isinstance(data, Mapping) and data.get(key):
        value = data[key]
        if isinstance(value, bytes):
            value = value.decode("ascii", "replace")
        try:
            return base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError):
            warn.warning(
                "secret %s: %s is not base64 as the API returns it; ignoring the secret",
                secret_label(secret),
                key,
            )
            return None
    string_data = _field(secret, "stringData", "string_data")
    if isinstance(string_data, Mapping) and string_data.get(key):
        return str(string_data[key]).encode()
    return None


def _secret_entries(secret: Secret) -> list[tuple[str, AuthConfig]]:
    kind = _field(secret, "type", "type")
    data_key = _DATA_KEYS.get(kind) if isinstance(kind, str) else None
    if data_key is None:
        return []
    payload = _secret_payload(secret, data_key)
    if payload is None:
        return []
    label = secret_label(secret)
    try:
        document = json.loads(payload)
    except ValueError:
        warn.warning("secret %s: %s is not JSON; ignoring the secret", label, data_key)
        return []
    auths = _auths_of(document) if kind == DOCKER_CONFIG_JSON_TYPE else document
    if not isinstance(auths, Mapping):
        warn.warning(
            "secret %s: %s holds no map of registries; ignoring the secret", label, data_key
        )
        return []
    entries: list[tuple[str, AuthConfig]] = []
    for registry, entry in auths.items():
        config = _auth_config(label, str(registry), entry)
        if config is None:
            continue
        try:
            key = normalize_key(str(registry))
        except BadKeyError:
            warn.warning(
                "secret %s: registry %r is not a URL; ignoring its entry", label, str(registry)
            )
            continue
        entries.append((key, config))
    return entries


def _auths_of(document: object) -> object:
    if not isinstance(document, Mapping):
        return None
    # Go's encoding/json, which the kubelet and ggcr use, matches field names
    # without regard to case, so {"Auths": ...} works there too.
    for name, value in document.items():
        if isinstance(name, str) and name.lower() == "auths":
            return value
    return None


def _auth_config(label: str, registry: str, entry: object) -> AuthConfig | None:
    if not isinstance(entry, Mapping):
        warn.warning("secret %s: the entry for %r is not an object; ignoring it", label, registry)
        return None
    fields = {str(k).lower(): v for k, v in entry.items()}
    try:
        return AuthConfig.from_json(fields)
    except AuthConfigError:
        warn.warning(
            "secret %s: the 'auth' of the entry for %r is not base64 of user:password; ignoring it",
            label,
            registry,
        )
        return None


def kubernetes_keychain(
    *,
    namespace: str = "default",
    service_account: str | None = "default",
    image_pull_secrets: Sequence[str] = (),
    use_mount_secrets: bool = False,
    api_client: Any = None,
    kubeconfig: StrPath | None = None,
    context: str | None = None,
    env: Mapping[str, str] | None = None,
) -> SecretsKeychain:
    """Return the keychain a pod in ``namespace`` running as ``service_account`` pulls with.

    The secrets are read once, now, in this order (earlier wins for the same registry
    key): the ``image_pull_secrets`` named here (as a pod's ``imagePullSecrets``), the
    service account's ``imagePullSecrets``, and with ``use_mount_secrets`` (default
    False) the secrets of its ``secrets`` list. ``namespace`` and ``service_account``
    default to ``default``; ``service_account=None`` skips the service account. A
    secret or service account that does not exist is a warning on
    :data:`containerregistry.logs.warn`, not an error.

    ``api_client`` is a ``kubernetes.client.ApiClient``; by default one is made by
    :func:`~containerregistry.kubernetes.cluster_client` from ``kubeconfig`` and
    ``context`` (kubectl's choice: a kubeconfig, else the in-cluster configuration;
    ``env`` defaults to ``os.environ``) and closed afterwards. Raises
    :class:`ClusterConfigError` without a cluster and :class:`KubernetesAPIError`
    when a read fails other than with 404.
    """
    if isinstance(image_pull_secrets, str):
        image_pull_secrets = (image_pull_secrets,)
    namespace = namespace or "default"
    if service_account == "":
        service_account = "default"
    own_client = api_client is None
    if own_client:
        api_client = cluster_client(kubeconfig=kubeconfig, context=context, env=env)
    try:
        reader = ClusterReader(api_client)
        secrets = _collect_secrets(
            reader, namespace, service_account, image_pull_secrets, use_mount_secrets
        )
    finally:
        if own_client:
            api_client.close()
    return keychain_from_secrets(secrets)


def _collect_secrets(
    reader: ClusterReader,
    namespace: str,
    service_account: str | None,
    image_pull_secrets: Sequence[str],
    use_mount_secrets: bool,
) -> list[dict[str, Any]]:
    names = list(image_pull_secrets)
    if service_account is not None:
        account = reader.service_account(namespace, service_account)
        if account is None:
            warn.warning(
                "serviceaccount %s/%s not found; using no pull secrets of it",
                namespace,
                service_account,
            )
        else:
            names.extend(_referenced_names(account.get("imagePullSecrets")))
            if use_mount_secrets:
                names.extend(_referenced_names(account.get("secrets")))
    secrets: list[dict[str, Any]] = []
    for secret_name in dict.fromkeys(names):  # a secret named twice counts once
        secret = reader.secret(namespace, secret_name)
        if secret is None:
            warn.warning("secret %s/%s not found; ignoring it", namespace, secret_name)
            continue
        secrets.append(secret)
    return secrets


def _referenced_names(references: object) -> list[str]:
    if not isinstance(references, list):
        return []
    return [str(ref["name"]) for ref in references if isinstance(ref, Mapping) and ref.get("name")]
