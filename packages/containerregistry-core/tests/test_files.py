"""Files appear whole or not at all."""

from __future__ import annotations

import os
import pathlib
import stat
import threading

import pytest

from containerregistry.files import atomic_file, is_special, temp_name, write_atomically


@pytest.mark.parametrize("durable", [False, True], ids=["plain", "durable"])
def test_the_file_appears_only_when_the_block_succeeds(
    tmp_path: pathlib.Path, durable: bool
) -> None:
    target = tmp_path / "out.tar"
    with atomic_file(target, durable=durable) as handle:
        handle.write(b"new")
        assert not target.exists()
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["out.tar"]


def test_a_failure_leaves_the_previous_file_and_no_temporary(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "index.json"
    target.write_bytes(b"old")

    def interrupted() -> None:
        with atomic_file(target) as handle:
            handle.write(b"half")
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        interrupted()
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["index.json"]


def test_mode_follows_the_umask(tmp_path: pathlib.Path) -> None:
    previous = os.umask(0o027)
    try:
        write_atomically(tmp_path / "f", b"x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.stat(tmp_path / "f").st_mode) == 0o640


def test_temp_names_are_hidden_siblings_and_fresh(tmp_path: pathlib.Path) -> None:
    first, second = temp_name(tmp_path / "a.tar"), temp_name(tmp_path / "a.tar")
    assert first != second
    assert os.path.dirname(first) == str(tmp_path)
    assert os.path.basename(first).startswith(".a.tar.")


def test_a_missing_directory_is_named_by_the_users_path(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "no" / "such" / "out.tar"
    with pytest.raises(FileNotFoundError) as caught, atomic_file(target) as handle:
        handle.write(b"never")
    assert caught.value.filename == str(target)
    assert ".tmp" not in str(caught.value)


def _drain_fifo(path: pathlib.Path, into: list[bytes]) -> threading.Thread:
    """Open the FIFO for reading on a thread (a writer's open waits for it) and read it all."""

    def read() -> None:
        with open(path, "rb") as reader:
            into.append(reader.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("durable", [False, True], ids=["plain", "durable"])
def test_a_fifo_is_written_in_place_not_replaced(tmp_path: pathlib.Path, durable: bool) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = _drain_fifo(fifo, received)
    write_atomically(fifo, b"layer bytes", durable=durable)
    reader.join(10)
    assert received == [b"layer bytes"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["pipe"]


def test_is_special_is_false_for_files_directories_and_missing_paths(
    tmp_path: pathlib.Path,
) -> None:
    (tmp_path / "file").write_bytes(b"")
    os.mkfifo(tmp_path / "pipe")
    found = [is_special(tmp_path / n) for n in ("file", ".", "missing", "pipe")]
    assert found == [False, False, False, True]


def test_a_failed_rename_is_named_by_the_users_path(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "out"
    (target / "inside").mkdir(parents=True)  # a non-empty directory cannot be replaced
    with pytest.raises(OSError) as caught, atomic_file(target) as handle:
        handle.write(b"never")
    assert caught.value.filename == str(target)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary file left
