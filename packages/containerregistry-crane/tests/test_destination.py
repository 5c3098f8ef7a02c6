"""Errors of every file writer name the user's path, never the temporary file beside it."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from crane_testkit import run

from containerregistry.crane._destination import DestinationError, check_destination


def _layer(tmp_path: Path) -> str:
    path = tmp_path / "layer.tar"
    with tarfile.open(path, "w") as archive:
        info = tarfile.TarInfo("a")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"a"))
    return str(path)


WRITERS = {
    "pull-tarball": lambda host, out, tmp: ["pull", f"{host}/a/img:v1", out],
    "pull-legacy": lambda host, out, tmp: ["pull", "--format", "legacy", f"{host}/a/img:v1", out],
    "export": lambda host, out, tmp: ["export", f"{host}/a/img:v1", out],
    "append-o": lambda host, out, tmp: ["append", "-f", _layer(tmp), "-t", "x/y:z", "-o", out],
    "mutate-o": lambda host, out, tmp: ["mutate", f"{host}/a/img:v1", "-l", "a=b", "-o", out],
    "copy-docker-archive": lambda host, out, tmp: [
        "copy",
        f"{host}/a/img:v1",
        f"docker-archive:{out}",
    ],
    "copy-oci-archive": lambda host, out, tmp: ["copy", f"{host}/a/img:v1", f"oci-archive:{out}"],
}


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_missing_directory_is_named_as_given(host: str, tmp_path: Path, writer: str) -> None:
    out = f"{tmp_path}/no/such/dir/out.tar"
    code, stdout, err = run(*WRITERS[writer](host, out, tmp_path))
    assert (code, stdout) == (1, b"")
    line = err.splitlines()[-1]
    assert line.endswith(f"cannot write {out}: directory {tmp_path}/no/such/dir does not exist")
    assert ".tmp" not in line
    assert ".crane-" not in line
    assert not (tmp_path / "no").exists()


def test_a_file_where_a_directory_should_be(host: str, tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    code, _, err = run("pull", f"{host}/a/img:v1", f"{tmp_path}/file/out.tar")
    assert code == 1
    assert (
        err == f"Error: cannot write {tmp_path}/file/out.tar: {tmp_path}/file is not a directory\n"
    )


def test_a_directory_as_the_file(host: str, tmp_path: Path) -> None:
    code, _, err = run("export", f"{host}/a/img:v1", str(tmp_path))
    assert code == 1
    assert err == f"Error: cannot write {tmp_path}: it is a directory; give a file name\n"


def test_a_relative_path_is_shown_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DestinationError) as caught:
        check_destination("out/x.tar")
    assert str(caught.value) == "cannot write out/x.tar: directory out does not exist"
