"""``TarWriter``: a streaming tar writer whose bytes equal Go's ``archive/tar`` Writer."""

from __future__ import annotations

import dataclasses
import tarfile
from collections.abc import Mapping
from types import TracebackType
from typing import IO, Protocol

from containerregistry.archive import _fields as f
from containerregistry.archive._fast import encode_tarinfo
from containerregistry.archive._header import (
    Plan,
    TarFormat,
    TarHeader,
    TarHeaderError,
    TimeValue,
    is_header_only,
    plan,
)
from containerregistry.errors import ContainerRegistryError

#: Entry data is copied in reads of this size, so a file is never held whole.
_CHUNK_SIZE = 1 << 20
#: Types whose entries carry no data, whatever their size field says.
_HEADER_ONLY = frozenset([b"1", b"2", b"3", b"4", b"5", b"6"])


class TarWriteError(ContainerRegistryError):
    """Writing a tar entry failed (short data, or the writer is closed or broken)."""


class _Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


class TarWriter:
    """Write a tar archive to ``fileobj``, byte for byte as Go's ``tar.Writer`` would.

    Each header is USTAR when it fits, PAX when it needs records (long or non-ASCII
    names, big sizes or ids, sub-second times with ``format=TarFormat.PAX``, or
    explicit ``pax`` records), and GNU only where Go falls back to it. :meth:`close`
    writes the two zero blocks that end the archive (no padding to 10240 bytes)
    and does not close ``fileobj``. Usable as a context manager.
    """

    def __init__(self, fileobj: _Sink) -> None:
        self._out = fileobj
        self._closed = False
        self._broken: BaseException | None = None

    # -- public entry points ------------------------------------------------

    def add_file(
        self,
        name: str,
        data: bytes | bytearray | memoryview | IO[bytes],
        *,
        size: int | None = None,
        mode: int = 0o644,
        mtime: TimeValue = 0,
        uid: int = 0,
        gid: int = 0,
        uname: str = "",
        gname: str = "",
        pax: Mapping[str, str] | None = None,
        format: TarFormat = TarFormat.UNKNOWN,
    ) -> None:
        """Add a regular file holding ``data`` (bytes, or a stream read for ``size`` bytes).

        Defaults: mode 0o644, mtime 0 (the epoch), uid/gid 0, empty uname/gname, no
        extra PAX records, format chosen as Go does.
        """
        if isinstance(data, (bytes, bytearray, memoryview)):
            content = bytes(data)
            if size is not None and size != len(content):
                raise TarHeaderError(
                    f"size {size} given for {name!r} but the data holds {len(content)} bytes"
                )
            header = self._simple(
                name, tarfile.REGTYPE, len(content), mode, mtime, uid, gid, uname, gname, pax,
                format,
            )  # fmt: skip
            self._write_entry(header, content=content)
            return
        if size is None:
            raise TarHeaderError(f"a stream for {name!r} needs size= (the tar header comes first)")
        header = self._simple(
            name, tarfile.REGTYPE, size, mode, mtime, uid, gid, uname, gname, pax, format
        )
        self._write_entry(header, stream=data)

    def add_file_header(
        self, name: str, size: int, *, mode: int = 0o644, mtime: TimeValue = 0
    ) -> int:
        """Write the header of a regular file of ``size`` bytes, but none of its data.

        The caller owes the archive exactly ``size`` bytes of data and then the
        returned number of zero bytes of padding, either through the same file
        object next or, when it is a seekable file, by skipping that span now and
        filling it later (so that several entries are written at once). Defaults as
        :meth:`add_file`: mode 0o644, mtime 0, uid/gid 0, format chosen as Go does.
        """
        header = self._simple(
            name, tarfile.REGTYPE, size, mode, mtime, 0, 0, "", "", None, TarFormat.UNKNOWN
        )
        self._check_usable()
        chosen = plan(header)  # raises before anything is written
        try:
            self._write_header(header, chosen)
        except BaseException as exc:
            self._broken = exc
            raise
        return f.block_padding(size)

    def add_directory(
        self,
        name: str,
        *,
        mode: int = 0o755,
        mtime: TimeValue = 0,
        uid: int = 0,
        gid: int = 0,
        uname: str = "",
        gname: str = "",
        pax: Mapping[str, str] | None = None,
        format: TarFormat = TarFormat.UNKNOWN,
    ) -> None:
        """Add a directory entry. ``name`` is written as given (conventionally ending in ``/``).

        Defaults: mode 0o755, mtime 0, uid/gid 0, empty uname/gname.
        """
        header = self._simple(
            name, tarfile.DIRTYPE, 0, mode, mtime, uid, gid, uname, gname, pax, format
        )
        self._write_entry(header)

    def add_symlink(
        self,
        name: str,
        target: str,
        *,
        mode: int = 0o777,
        mtime: TimeValue = 0,
        uid: int = 0,
        gid: int = 0,
        uname: str = "",
        gname: str = "",
        pax: Mapping[str, str] | None = None,
        format: TarFormat = TarFormat.UNKNOWN,
    ) -> None:
        """Add a symbolic link ``name`` pointing at ``target``.

        Defaults: mode 0o777 (what Linux reports for links), mtime 0, uid/gid 0.
        """
        header = self._simple(
            name, tarfile.SYMTYPE, 0, mode, mtime, uid, gid, uname, gname, pax, format, target
        )
        self._write_entry(header)

    def add_hardlink(
        self,
        name: str,
        target: str,
        *,
        mode: int = 0o644,
        mtime: TimeValue = 0,
        uid: int = 0,
        gid: int = 0,
        uname: str = "",
        gname: str = "",
        pax: Mapping[str, str] | None = None,
        format: TarFormat = TarFormat.UNKNOWN,
    ) -> None:
        """Add a hard link ``name`` to the earlier entry ``target``.

        Defaults: mode 0o644, mtime 0, uid/gid 0.
        """
        header = self._simple(
            name, tarfile.LNKTYPE, 0, mode, mtime, uid, gid, uname, gname, pax, format, target
        )
        self._write_entry(header)

    def add(
        self,
        header: TarHeader | tarfile.TarInfo,
        stream: IO[bytes] | None = None,
        *,
        name: str | None = None,
    ) -> None:
        """Add any entry; ``stream`` supplies ``header.size`` bytes for types that carry data.

        A :class:`tarfile.TarInfo` is converted with :meth:`TarHeader.from_tarinfo`
        (PAX format, as ggcr's ``mutate.Extract`` writes), so entries read with
        :mod:`tarfile` can be copied: ``writer.add(info, archive.extractfile(info))``.
        ``name``, when given, replaces the header's name (default None: keep it).
        """
        if isinstance(header, tarfile.TarInfo):
            entry_name = header.name if name is None else name
            encoded = encode_tarinfo(header, entry_name)
            if encoded is not None:
                self._write_encoded(entry_name, encoded, header, stream)
                return
            header = TarHeader.from_tarinfo(header)
        if name is not None and name != header.name:
            header = dataclasses.replace(header, name=name)
        self._write_entry(header, stream=stream)

    def close(self) -> None:
        """End the archive with two zero blocks. Closing twice is harmless."""
        if self._closed:
            return
        self._check_usable()
        self._closed = True
        self._out.write(f.ZERO_BLOCK * 2)

    def __enter__(self) -> TarWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()

    # -- internals ----------------------------------------------------------

    @staticmethod
    def _simple(
        name: str,
        typeflag: bytes,
        size: int,
        mode: int,
        mtime: TimeValue,
        uid: int,
        gid: int,
        uname: str,
        gname: str,
        pax: Mapping[str, str] | None,
        format: TarFormat,
        linkname: str = "",
    ) -> TarHeader:
        return TarHeader(
            name=name,
            typeflag=typeflag,
            linkname=linkname,
            size=size,
            mode=mode,
            uid=uid,
            gid=gid,
            uname=uname,
            gname=gname,
            mtime=mtime,
            pax_records=dict(pax or {}),
            format=format,
        )

    def _check_usable(self) -> None:
        if self._broken is not None:
            raise TarWriteError(
                f"the tar writer failed earlier ({self._broken}); start a new archive"
            ) from self._broken
        if self._closed:
            raise TarWriteError("the tar archive is already closed; no entries can be added")

    def _write_entry(
        self,
        header: TarHeader,
        *,
        content: bytes | None = None,
        stream: IO[bytes] | None = None,
    ) -> None:
        self._check_usable()
        chosen = plan(header)  # raises before anything is written
        data_size = 0 if is_header_only(chosen.typeflag) else header.size
        if data_size and content is None and stream is None:
            raise TarHeaderError(
                f"tar entry {header.name!r} declares {data_size} bytes but no stream was given"
            )
        try:
            self._write_header(header, chosen)
            if content is not None:
                self._out.write(content)
            elif data_size:
                assert stream is not None
                self._copy(header.name, stream, data_size)
            padding = f.block_padding(data_size)
            if padding:
                self._out.write(f.ZERO_BLOCK[:padding])
        except BaseException as exc:
            self._broken = exc
            raise

    def _write_encoded(
        self, name: str, encoded: bytes, info: tarfile.TarInfo, stream: IO[bytes] | None
    ) -> None:
        """Write header bytes made by :func:`encode_tarinfo`, then the entry's data."""
        self._check_usable()
        data_size = 0 if info.type in _HEADER_ONLY else info.size
        if data_size and stream is None:
            raise TarHeaderError(
                f"tar entry {name!r} declares {data_size} bytes but no stream was given"
            )
        try:
            self._out.write(encoded)
            if data_size:
                assert stream is not None
                self._copy(name, stream, data_size)
                padding = -data_size % f.BLOCK_SIZE
                if padding:
                    self._out.write(f.ZERO_BLOCK[:padding])
        except BaseException as exc:
            self._broken = exc
            raise

    def _copy(self, name: str, stream: IO[bytes], size: int) -> None:
        remaining = size
        while remaining:
            chunk = stream.read(min(remaining, _CHUNK_SIZE))
            if not chunk:
                raise TarWriteError(
                    f"tar entry {name!r} declares {size} bytes but its stream ended after "
                    f"{size - remaining}; the archive is incomplete"
                )
            if len(chunk) > remaining:  # a stream that ignores the requested size
                chunk = chunk[:remaining]
            self._out.write(chunk)
            remaining -= len(chunk)

    def _write_header(self, header: TarHeader, chosen: Plan) -> None:
        if chosen.formats & TarFormat.USTAR.value:
            self._write_ustar(header, chosen)
        elif chosen.formats & TarFormat.PAX.value:
            self._write_pax(header, chosen)
        else:
            self._write_gnu(header, chosen)

    def _template(self, header: TarHeader, chosen: Plan, name: bytes, *, gnu: bool) -> bytearray:
        """Fill the fields shared by USTAR, PAX and GNU headers."""
        block = bytearray(f.BLOCK_SIZE)
        # PAX headers repeat the strings as ASCII (the records hold the real value).
        text = (lambda s: s) if gnu else f.to_ascii
        number = f.put_numeric if gnu else f.put_octal
        block[f.TYPEFLAG] = chosen.typeflag[0]
        f.put_string(block, f.NAME, text(name))
        f.put_string(block, f.LINKNAME, text(chosen.linkname))
        number(block, f.MODE, header.mode)
        number(block, f.UID, header.uid)
        number(block, f.GID, header.gid)
        number(block, f.SIZE, header.size)
        number(block, f.MTIME, chosen.mtime[0] if chosen.mtime else 0)
        f.put_string(block, f.UNAME, text(chosen.uname))
        f.put_string(block, f.GNAME, text(chosen.gname))
        number(block, f.DEVMAJOR, header.devmajor)
        number(block, f.DEVMINOR, header.devminor)
        return block

    def _write_ustar(self, header: TarHeader, chosen: Plan) -> None:
        name, prefix = chosen.name, b""
        split = f.split_ustar_path(name)
        if split is not None:
            prefix, name = split
        block = self._template(header, chosen, name, gnu=False)
        f.put_string(block, f.PREFIX, prefix)
        f.set_magic_and_checksum(block, gnu=False)
        self._out.write(bytes(block))

    def _write_pax(self, header: TarHeader, chosen: Plan) -> None:
        is_global = chosen.typeflag == b"g"
        if chosen.pax or is_global:
            body = b"".join(f.format_pax_record(k, v) for k, v in sorted(chosen.pax.items()))
            if len(body) > f.MAX_SPECIAL_FILE_SIZE:
                raise TarHeaderError(
                    f"PAX records of {header.name!r} take {len(body)} bytes; the limit is 1 MiB"
                )
            if is_global:
                self._write_special(chosen.name or b"GlobalHead.0.0", body, b"g", gnu=False)
                return
            self._write_special(f.pax_header_name(chosen.name), body, b"x", gnu=False)
        block = self._template(header, chosen, chosen.name, gnu=False)
        f.set_magic_and_checksum(block, gnu=False)
        self._out.write(bytes(block))

    def _write_gnu(self, header: TarHeader, chosen: Plan) -> None:
        long_name = b"././@LongLink"
        if len(chosen.name) > f.NAME_SIZE:
            self._write_special(long_name, chosen.name + b"\x00", b"L", gnu=True)
        if len(chosen.linkname) > f.NAME_SIZE:
            self._write_special(long_name, chosen.linkname + b"\x00", b"K", gnu=True)
        block = self._template(header, chosen, chosen.name, gnu=True)
        if chosen.atime is not None:
            f.put_numeric(block, f.GNU_ATIME, chosen.atime[0])
        if chosen.ctime is not None:
            f.put_numeric(block, f.GNU_CTIME, chosen.ctime[0])
        f.set_magic_and_checksum(block, gnu=True)
        self._out.write(bytes(block))

    def _write_special(self, name: bytes, body: bytes, typeflag: bytes, *, gnu: bool) -> None:
        """Write a PAX or GNU long-name entry: only name, type, size and zero numbers."""
        block = bytearray(f.BLOCK_SIZE)
        name = f.to_ascii(name)[: f.NAME_SIZE].rstrip(b"/")
        block[f.TYPEFLAG] = typeflag[0]
        f.put_string(block, f.NAME, name)
        for field in (f.MODE, f.UID, f.GID, f.MTIME):
            f.put_octal(block, field, 0)
        f.put_octal(block, f.SIZE, len(body))
        f.set_magic_and_checksum(block, gnu=gnu)
        self._out.write(bytes(block))
        self._out.write(body)
        padding = f.block_padding(len(body))
        if padding:
            self._out.write(f.ZERO_BLOCK[:padding])
