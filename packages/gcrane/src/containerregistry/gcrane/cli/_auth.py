"""``gcrane auth``: crane's ``auth`` with gcrane's keychain (Google's first) for ``get``
and ``token``; ``login`` and ``logout`` are crane's own."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from containerregistry.crane.cli import _auth as crane_auth
from containerregistry.crane.cli._errors import reported
from containerregistry.crane.cli._options import crane_options, global_options

if TYPE_CHECKING:
    from containerregistry.authn import Authenticator, Keychain, Resource


def _resolve(keychain: Keychain | None, target: Resource) -> Authenticator:
    from containerregistry import authn
    from containerregistry.gcrane import KEYCHAIN

    found = (keychain or KEYCHAIN).resolve(target)
    return found if found is not None else authn.ANONYMOUS


@reported
def get(
    ctx: typer.Context,
    registry_addr: Annotated[
        str | None, typer.Argument(metavar="[REGISTRY_ADDR]", show_default=False)
    ] = None,
) -> None:
    """Implements a credential helper."""
    from containerregistry import authn, name

    flags = global_options(ctx)
    if registry_addr is None:
        registry_addr = sys.stdin.read().strip()
    registry = name.new_registry(registry_addr, insecure=flags.insecure)
    found = _resolve(flags.keychain, registry)
    if authn.is_anonymous(found):
        print(crane_auth.NOT_FOUND)
        raise typer.Exit(1)
    config = found.authorization().resolved()
    username, secret = config.username, config.password
    if config.identity_token:
        username, secret = "<token>", config.identity_token
    sys.stdout.write(crane_auth.go_json({"Username": username, "Secret": secret}))


@reported
def token(
    ctx: typer.Context,
    repo: Annotated[str, typer.Argument(metavar="REPO", show_default=False)],
    header: Annotated[bool, typer.Option("-H", "--header", help="Output in header format")] = False,
    push: Annotated[bool, typer.Option("--push", help="Request push scopes")] = False,
    mount: Annotated[
        list[str] | None, typer.Option("-m", "--mount", help="Scopes to mount from")
    ] = None,
) -> None:
    """Retrieves a token for a remote repo."""
    from containerregistry import transport

    options = crane_options(ctx)
    repository = options.repository(repo)
    scopes = [repository.scope("push,pull" if push else "pull")]
    for entry in mount or []:
        scopes.extend(options.repository(text).scope("pull") for text in entry.split(","))
    session = transport.new(
        repository.registry,
        _resolve(options.keychain, repository),
        scopes=scopes,
        insecure=options.insecure,
    )
    issued = session.exchange(scopes)
    if header:
        sys.stdout.write(f"Authorization: Bearer {issued.token}")
    else:
        sys.stdout.write(issued.to_json().decode() + "\n")
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    """Add the ``auth`` group to ``app``: gcrane's get and token, crane's login and logout."""
    group = typer.Typer(help="Log in or access credentials", no_args_is_help=True)
    group.command("get")(get)
    group.command("login")(crane_auth.login)
    group.command("logout")(crane_auth.logout)
    group.command("token")(token)
    app.add_typer(group, name="auth")
