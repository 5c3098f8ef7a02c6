"""What ``crane digest`` and ``crane --help`` import: a set of modules, not a time.

Start-up is most of what a plain command costs, and most of start-up is imports.
Each test runs the CLI in a fresh interpreter, records ``sys.modules`` as the
process exits, and takes away what a baseline process loads: plain Python for
``--help``; requests and Typer sending one HEAD (the floor a Typer CLI on
requests cannot go under) for ``digest``. What is left must be in the lists
below. A module that is not is reported by name: drop the import, move it into
the function that needs it, or, when every run of the command needs it, add it
here in the same change.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

#: Run the CLI named in argv[2:] and write sys.modules to argv[1] as it exits.
_RUN_CRANE = """
import atexit, json, sys
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["crane", *sys.argv[2:]]
from containerregistry.crane.cli import main
main()
"""

#: Run the code in argv[2] and write sys.modules to argv[1] (importing what
#: _RUN_CRANE itself imports).
_RUN_BASELINE = """
import atexit, json, sys
exec(sys.argv[2])
open(sys.argv[1], "w").write(json.dumps(sorted(sys.modules)))
"""

#: Beyond plain Python, ``crane --help`` may load only these (the root help is
#: pre-rendered: no Typer, no click, no requests).
HELP_MODULES = {
    "__future__",
    "containerregistry",
    "containerregistry.crane",
    "containerregistry.crane.cli",
    "containerregistry.crane.cli._quick",
    "containerregistry.crane.cli._root_help",
    "containerregistry.lazy",
    "containerregistry.lazy._attach",
}

#: Beyond requests and Typer, the modules outside this project ``crane digest`` may load.
DIGEST_OTHER_MODULES = {
    "_contextvars",
    "contextvars",
    "dataclasses",
    "gc",
    "typer._click.decorators",
}

#: The packages of this project ``crane digest`` may load (any of their modules).
DIGEST_PACKAGES = {
    "containerregistry",
    "containerregistry.authn",
    "containerregistry.compression",
    "containerregistry.crane",
    "containerregistry.errors",
    "containerregistry.lazy",
    "containerregistry.logs",
    "containerregistry.name",
    "containerregistry.remote",
    "containerregistry.transport",
    "containerregistry.types",
    "containerregistry.v1",
    "containerregistry.verify",
}

#: crane's own modules ``crane digest`` may load: its options and read path, and
#: the CLI with the digest command's module only (see ``cli/_app.py``).
DIGEST_CRANE_MODULES = {
    "containerregistry.crane",
    "containerregistry.crane._errors",
    "containerregistry.crane._inputs",
    "containerregistry.crane._options",
    "containerregistry.crane._read",
    "containerregistry.crane._version",
    "containerregistry.crane.cli",
    "containerregistry.crane.cli._app",
    "containerregistry.crane.cli._cobra",
    "containerregistry.crane.cli._digest",
    "containerregistry.crane.cli._errors",
    "containerregistry.crane.cli._options",
    "containerregistry.crane.cli._persistent",
    "containerregistry.crane.cli._progress",
    "containerregistry.crane.cli._quick",
    "containerregistry.crane.cli._root_help",
    "containerregistry.crane.cli._run",
}


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["COLUMNS"] = "100"  # wide enough for the pre-rendered root help
    for key in [k for k in env if k.startswith("_") and k.endswith("_COMPLETE")]:
        del env[key]
    return env


def _modules(tmp_path: Path, script: str, *args: str) -> tuple[set[str], str]:
    """Run ``script`` with ``args``; return (the modules it had at exit, its stdout)."""
    out = tmp_path / f"modules-{len(list(tmp_path.iterdir()))}.json"
    done = subprocess.run(
        [sys.executable, "-c", script, str(out), *args],
        capture_output=True,
        text=True,
        env=_environment(),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(out.read_text())), done.stdout


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_help_loads_only_the_quick_path(tmp_path: Path) -> None:
    baseline, _ = _modules(tmp_path, _RUN_BASELINE, "pass")
    loaded, stdout = _modules(tmp_path, _RUN_CRANE, "--help")
    assert stdout.startswith("Usage: crane [OPTIONS] COMMAND [ARGS]...\n\n  crane is a tool")
    assert sorted(loaded - baseline - HELP_MODULES) == []


def test_digest_loads_only_what_every_digest_needs(host: str, tmp_path: Path) -> None:
    floor = f"import requests, typer; requests.head('http://{host}/v2/a/img/manifests/v1')"
    baseline, _ = _modules(tmp_path, _RUN_BASELINE, floor)
    loaded, stdout = _modules(tmp_path, _RUN_CRANE, "digest", f"{host}/a/img:v1")
    assert stdout.startswith("sha256:")
    extra = loaded - baseline
    ours = {m for m in extra if m == "containerregistry" or m.startswith("containerregistry.")}
    assert sorted(extra - ours - DIGEST_OTHER_MODULES) == []
    assert sorted({_package(m) for m in ours} - DIGEST_PACKAGES) == []
    crane = {m for m in ours if _package(m) == "containerregistry.crane"}
    assert sorted(crane - DIGEST_CRANE_MODULES) == []


def _help(columns: str, *argv: str) -> subprocess.CompletedProcess[str]:
    env = _environment()
    env["COLUMNS"] = columns
    code = "import sys; from containerregistry.crane.cli import main; sys.argv[0] = 'crane'; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env, check=False
    )


def test_help_through_typer_lists_every_command() -> None:
    # Narrower than 80 columns, the root help is Typer's own, not the stored text.
    wide, narrow = _help("100", "--help"), _help("70", "--help")
    assert (wide.returncode, narrow.returncode) == (0, 0)
    commands = [line.split()[0] for line in wide.stdout.split("Commands:")[1].splitlines() if line]
    assert len(commands) > 20
    listed = [line.split()[0] for line in narrow.stdout.split("Commands:")[1].splitlines() if line]
    assert [c for c in listed if not c.startswith("-")] == commands


def test_a_mistyped_command_is_named_with_a_suggestion() -> None:
    done = _help("100", "digset", "example.com/a:b")
    assert done.returncode == 1
    assert "No such command 'digset'. Did you mean 'digest'" in done.stderr
