"""``crane auth get/login/logout/token``: credentials for registries."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from containerregistry.crane.cli._errors import fail, reported
from containerregistry.crane.cli._options import crane_options, global_options

#: What docker's credential helpers print when they know nothing about a registry.
NOT_FOUND = "credentials not found in native keychain"


def go_json(fields: dict[str, str]) -> str:
    """Encode ``fields`` as Go's ``json.Encoder`` does (HTML characters escaped), plus ``\\n``."""
    import json

    text = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"


@reported
def get(
    ctx: typer.Context,
    registry_addr: Annotated[
        str | None, typer.Argument(metavar="[REGISTRY_ADDR]", show_default=False)
    ] = None,
) -> None:
    """Implements a credential helper."""
    from containerregistry import authn, name

    if registry_addr is None:
        registry_addr = sys.stdin.read().strip()
    flags = global_options(ctx)
    registry = name.new_registry(registry_addr, insecure=flags.insecure)
    found = (flags.keychain or authn.default_keychain()).resolve(registry)
    if found is None or authn.is_anonymous(found):
        print(NOT_FOUND)
        raise typer.Exit(1)
    config = found.authorization().resolved()
    username, secret = config.username, config.password
    if config.identity_token:
        username, secret = "<token>", config.identity_token
    sys.stdout.write(go_json({"Username": username, "Secret": secret}))


def _server(server: str, insecure: bool) -> str:
    from containerregistry import name

    return name.new_registry(server, insecure=insecure).registry_str


@reported
def login(
    ctx: typer.Context,
    server: Annotated[str, typer.Argument(metavar="SERVER", show_default=False)],
    username: Annotated[str, typer.Option("-u", "--username", help="Username")] = "",
    password: Annotated[str, typer.Option("-p", "--password", help="Password")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Take the password from stdin")
    ] = False,
) -> None:
    """Log in to a registry."""
    from containerregistry import authn, logs

    if password_stdin:
        password = sys.stdin.read().removesuffix("\n").removesuffix("\r")
    path = authn.login(_server(server, global_options(ctx).insecure), username, password)
    logs.progress.info("logged in via %s", path)


@reported
def logout(
    ctx: typer.Context,
    server: Annotated[str, typer.Argument(metavar="SERVER", show_default=False)],
) -> None:
    """Log out of a registry."""
    from containerregistry import authn, logs

    try:
        path = authn.logout(_server(server, global_options(ctx).insecure))
    except authn.LoginError as exc:
        # As crane, whose credential store erases a missing entry without complaint:
        # nothing to do is not a failure (exit 0), but say so.
        logs.warn.warning("%s: nothing to log out of", exc)
        return
    logs.progress.info("logged out via %s", path)


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
    from containerregistry import authn, transport

    options = crane_options(ctx)
    repository = options.repository(repo)
    scopes = [repository.scope("push,pull" if push else "pull")]
    for entry in mount or []:
        for text in entry.split(","):
            scopes.append(options.repository(text).scope("pull"))
    found = (options.keychain or authn.default_keychain()).resolve(repository)
    session = transport.new(
        repository.registry,
        found if found is not None else authn.ANONYMOUS,
        scopes=scopes,
        insecure=options.insecure,
    )
    if session.bearer is None:
        # As crane's transport.Exchange: only a bearer challenge gives a token.
        scheme = session.challenge.scheme if session.challenge is not None else ""
        asks = f"{scheme} authentication, not bearer" if scheme else "no authentication"
        raise fail(f"{repository.registry_str} asks for {asks}: it issues no tokens")
    issued = session.exchange(scopes)
    if header:
        sys.stdout.write(f"Authorization: Bearer {issued.token}")
    else:
        sys.stdout.write(issued.to_json().decode() + "\n")
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    """Add the ``auth`` group to ``app``."""
    group = typer.Typer(help="Log in or access credentials", no_args_is_help=True)
    group.command("get")(get)
    group.command("login")(login)
    group.command("logout")(logout)
    group.command("token")(token)
    app.add_typer(group, name="auth")
