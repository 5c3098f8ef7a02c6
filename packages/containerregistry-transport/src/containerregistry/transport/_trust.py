"""The CAs named by OpenSSL's environment variables, read as Go's crane reads them.

``SSL_CERT_FILE`` names the CA bundle to read in place of the system's bundle file;
``SSL_CERT_DIR`` (directories separated by ``:``) the directories to read in place of
the system's certificate directory. Each replaces its own part only, as in Go's
``crypto/x509`` and in OpenSSL: with ``SSL_CERT_FILE`` alone the system directory
is still read (on Debian it holds every system CA, so a private CA is in effect
added), with ``SSL_CERT_DIR`` alone the system bundle file is.

Precedence, from the first: an explicit ``ca_bundle`` (or ``insecure``);
``REQUESTS_CA_BUNDLE`` and ``CURL_CA_BUNDLE`` (requests reads them, before this);
these two variables; requests' own bundle (certifi) when neither is set.
"""

from __future__ import annotations

import os
import re
import ssl

#: The variables, as OpenSSL and Go name them.
FILE_VARIABLE = "SSL_CERT_FILE"
DIR_VARIABLE = "SSL_CERT_DIR"

#: ``c_rehash``/``openssl rehash`` names (``<subject hash>.<n>``; ``.r<n>`` for CRLs),
#: which OpenSSL looks up by the issuer's hash without reading the directory.
_HASHED_NAME = re.compile(r"[0-9a-f]{8}\.r?[0-9]+")


def environment_trust() -> tuple[str, str] | None:
    """``(SSL_CERT_FILE, SSL_CERT_DIR)`` ("" for an unset one), or None when neither is set."""
    file = os.environ.get(FILE_VARIABLE, "")
    dirs = os.environ.get(DIR_VARIABLE, "")
    return (file, dirs) if file or dirs else None


def load_trust(context: ssl.SSLContext, file: str, dirs: str) -> None:
    """Make ``context`` trust the CAs of ``file`` and ``dirs`` (see the module docstring).

    ``file`` is a PEM bundle ("" means the system's bundle file), ``dirs`` one or more
    directories separated by ``:`` ("" means the system's directory). A directory is
    read as Go reads it: every PEM file in it counts, hashed names or not (hashed
    ones through OpenSSL's lookup, which reads a certificate only when it is needed).
    Raises :class:`OSError` naming the variable when ``file`` is not a file or no
    directory of ``dirs`` exists: a typo must not silently trust the system alone.
    """
    defaults = ssl.get_default_verify_paths()
    if file and not os.path.isfile(file):
        raise OSError(
            f"{FILE_VARIABLE} names {file}, which is not a file; point it at a PEM "
            "bundle of CA certificates, or unset it"
        )
    directories = [d for d in dirs.split(":") if d] if dirs else [defaults.openssl_capath]
    if dirs and not any(os.path.isdir(d) for d in directories):
        raise OSError(
            f"{DIR_VARIABLE} names no directory that exists ({dirs}); point it at a "
            "directory of PEM CA certificates, or unset it"
        )
    read: set[str] = set()
    bundle = file or defaults.openssl_cafile
    if bundle and os.path.isfile(bundle):
        context.load_verify_locations(cafile=bundle)
        read.add(os.path.realpath(bundle))
    for directory in directories:
        if os.path.isdir(directory):
            _load_directory(context, directory, read)


def _load_directory(context: ssl.SSLContext, directory: str, read: set[str]) -> None:
    """Trust the CAs in ``directory``; ``read`` holds (and gets) the real paths already read.

    Hashed names go to OpenSSL's lazy lookup; any other file that is not one of
    theirs (Debian's ``/etc/ssl/certs`` links each ``NAME.pem`` from a hashed name)
    or already read (the system bundle lives there too) is read now: reading all
    290 entries of ``/etc/ssl/certs`` would cost a quarter of a second.
    """
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return
    hashed = [name for name in names if _HASHED_NAME.fullmatch(name)]
    if hashed:
        context.load_verify_locations(capath=directory)
        read.update(os.path.realpath(os.path.join(directory, name)) for name in hashed)
    for name in names:
        if _HASHED_NAME.fullmatch(name):
            continue
        path = os.path.realpath(os.path.join(directory, name))
        if path in read or not os.path.isfile(path):
            continue
        read.add(path)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        if b"-----BEGIN CERTIFICATE-----" not in data:
            continue  # not PEM certificates (a key, a CRL, a README): Go skips them too
        try:
            context.load_verify_locations(cadata=data.decode("ascii", "ignore"))
        except (ssl.SSLError, ValueError):
            continue
