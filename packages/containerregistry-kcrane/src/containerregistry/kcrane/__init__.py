"""kcrane: crane whose credentials come from Kubernetes pull secrets and cloud identity.

:class:`KcraneKeychain` is the k8schain kcrane uses, made on first use;
:mod:`containerregistry.kcrane.cli` is the ``kcrane`` (alias ``krane``) command.
"""

from containerregistry.lazy import attach

TYPE_CHECKING = False
if TYPE_CHECKING:
    from containerregistry.kcrane._keychain import KcraneKeychain

_MODULE_OF: dict[str, str] = {
    "KcraneKeychain": "_keychain",
}

__all__ = [
    "KcraneKeychain",
]

__getattr__, __dir__ = attach(__name__, _MODULE_OF, __all__)
