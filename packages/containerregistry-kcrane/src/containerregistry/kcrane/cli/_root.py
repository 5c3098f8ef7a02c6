"""kcrane's global flags, added beside crane's in the root callback."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from containerregistry.kcrane._keychain import KcraneKeychain

Namespace = Annotated[
    str,
    typer.Option(
        "--namespace", help="Kubernetes namespace of the pull secrets and the service account."
    ),
]
ServiceAccount = Annotated[
    str,
    typer.Option("--service-account", help="Service account whose imagePullSecrets are used."),
]
ImagePullSecret = Annotated[
    list[str] | None,
    typer.Option(
        "--image-pull-secret",
        metavar="<str>",
        help="Pull secret to use before the service account's (repeatable).",
    ),
]
NoCluster = Annotated[
    bool,
    typer.Option(
        "--no-cluster",
        help="Do not ask Kubernetes; use only the docker config and the cloud keychains.",
    ),
]


def keychain_from_flags(
    namespace: Namespace = "default",
    service_account: ServiceAccount = "default",
    image_pull_secret: ImagePullSecret = None,
    no_cluster: NoCluster = False,
) -> KcraneKeychain:
    """The keychain kcrane's flags ask for; its parameters are the flags."""
    return KcraneKeychain(
        namespace=namespace,
        service_account=service_account,
        image_pull_secrets=tuple(image_pull_secret or ()),
        no_cluster=no_cluster,
    )


def add_kubernetes_flags(app: typer.Typer) -> None:
    """Give ``app``'s root callback (crane's) kcrane's flags too.

    The new root takes crane's parameters and those of :func:`keychain_from_flags`,
    runs crane's root with its own, then puts the keychain the flags describe into the
    global options. Crane's flags are read from its callback, so a flag crane gains
    is kcrane's at once.
    """
    crane_info = app.registered_callback
    if crane_info is None or crane_info.callback is None:
        raise TypeError("the app has no root callback to extend; build it with build_app")
    crane_root: Callable[..., Any] = crane_info.callback
    crane_parameters = inspect.signature(crane_root, eval_str=True).parameters
    own_parameters = inspect.signature(keychain_from_flags, eval_str=True).parameters
    clash = set(crane_parameters) & set(own_parameters)
    if clash:
        raise TypeError(f"crane's root already has the parameters {sorted(clash)}")
    context_names = [n for n, p in crane_parameters.items() if p.annotation is typer.Context]
    if len(context_names) != 1:
        raise TypeError("crane's root callback must take exactly one typer.Context")
    context_name = context_names[0]

    def root(**flags: Any) -> None:
        crane_root(**{n: flags[n] for n in crane_parameters})
        ctx: typer.Context = flags[context_name]
        keychain = keychain_from_flags(**{n: flags[n] for n in own_parameters})
        ctx.obj = dataclasses.replace(ctx.obj, keychain=keychain)

    merged = [*crane_parameters.values(), *own_parameters.values()]
    # typer reads the parameters through inspect.signature and the types through
    # typing.get_type_hints; both see the merged list.
    root.__signature__ = inspect.Signature(merged, return_annotation=None)  # type: ignore[attr-defined]
    root.__annotations__ = {p.name: p.annotation for p in merged} | {"return": None}
    root.__doc__ = crane_root.__doc__
    app.callback()(root)
