"""Golden command lines: what Go crane prints and exits with, replayed against ours.

The one list of command lines (:data:`CASES`) that ``tools/record-crane-golden``
runs through Go crane and ``test_cli_golden.py`` runs through ours, the setup both
run them in (:class:`Workspace`: an embedded registry on loopback seeded with
images whose bytes never change, input files, a port nobody listens on) and the
fixture format (``golden/crane.json``).

Determinism: every layer blob is a gzip of *stored* deflate blocks built here byte
by byte (:func:`stored_gzip`), so no zlib version can change a digest; tars are
written by :class:`containerregistry.archive.TarWriter` (Go's byte layout); configs
and manifests are Go JSON. Dynamic values appear in command lines and stdout as
placeholders: ``{registry}`` (the registry's ``127.0.0.1:PORT``), ``{closed}`` (a
loopback address whose port was just closed), ``{tmp}`` (the work directory); in
command lines also ``{missing}`` (a digest nothing has), ``{img_digest}`` and
``{img_layer}`` (the seeded image's manifest and top layer).

The registry is ours (:mod:`containerregistry.registry`, in process) for both
cranes: the test runs in CI without Go, and so both meet the same server answering
the same way (catalog order, error bodies). Commands run as real processes, with a
docker config of their own, in a fresh directory.

Imported by name: ``conftest`` puts this folder on ``sys.path``, and the recorder
does the same.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import io
import json
import os
import re
import shlex
import socket
import struct
import subprocess
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

#: Where the recorded results live, next to this module.
FIXTURE = Path(__file__).with_name("golden") / "crane.json"

#: How a case's result is compared with Go crane's.
#: ``exact``: stdout byte for byte and the exit code.
#: ``exit``: the exit code only (``why`` says what differs on stdout).
#: ``help``: Go prints the command's help on stdout; ours must print its own help
#: (``crane <help_of> --help``) there, with Go's exit code. The help text is click's,
#: not cobra's, everywhere.
#: ``prefix``: stdout starts with ``prefix`` (after placeholders) for both, and the
#: exit codes agree (``why`` says what follows the prefix).
#: ``beyond``: Go fails where ours deliberately does more (crane-behaviour.md:
#: "local inputs everywhere"); ours must succeed (exit 0). ``why`` says what.
Compare = Literal["exact", "exit", "help", "prefix", "beyond"]

#: Go's log.LstdFlags prefix, ``2006/01/02 15:04:05 ``, which changes every run.
_LOG_PREFIX = re.compile(r"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} ")

#: The most stdout bytes kept as text in the fixture; longer or binary output is
#: kept as its sha256 and size.
STDOUT_TEXT_LIMIT = 8192


@dataclasses.dataclass(frozen=True)
class Case:
    """One command line to run through both cranes, in :data:`CASES` order.

    Attributes:
        id: a readable, unique name (the test id).
        argv: the arguments after ``crane``, with placeholders.
        stdin: text given on stdin (default none: stdin is empty).
        compare: how the results are compared (see :data:`Compare`).
        why: for any ``compare`` but ``exact``, why stdout cannot be compared.
        help_of: for ``help``, the command whose ``--help`` ours prints.
        prefix: for ``prefix``, what stdout starts with.
    """

    id: str
    argv: tuple[str, ...]
    stdin: str | None = None
    compare: Compare = "exact"
    why: str = ""
    help_of: tuple[str, ...] = ()
    prefix: str = ""


def _c(id: str, command_line: str, **extra: Any) -> Case:
    """A case whose arguments are ``command_line`` split as a shell would."""
    return Case(id, tuple(shlex.split(command_line)), **extra)


#: A digest nothing has (``{missing}`` in command lines).
MISSING_DIGEST = "sha256:" + "0" * 64
_ADDRESS = (
    "the digest covers a base annotation holding the registry's address, which changes "
    "every run; the next lines compare the manifest and config"
)
_COBRA_HELP = "the help text is click's, not cobra's"
_REBUILT = "Go gzips the layer itself (compress/flate), our gzip bytes differ, so the digest does"

#: Every command line, in the order they run (later lines see earlier writes).
CASES: tuple[Case, ...] = (
    # The root, unknown commands and flags.
    _c("root-no-args", ""),
    _c("root-flags-only", "--insecure"),
    _c("auth-flags-only", "auth --insecure"),
    _c("unknown-command", "bogus"),
    _c("unknown-global-flag", "--bogus version"),
    _c("version", "version", compare="exit", why="the version is ours, not v0.21.9"),
    _c("version-extra-arg", "version extra"),
    _c("help-command", "help", compare="help", why=_COBRA_HELP),
    _c(
        "completion-no-shell",
        "completion",
        compare="help",
        why=_COBRA_HELP,
        help_of=("completion",),
    ),
    _c("completion-bash", "completion bash", compare="exit", why="the script is Typer's"),
    # manifest, config, digest: reads.
    _c("manifest-image", "manifest {registry}/gold/img:v1"),
    _c("manifest-index", "manifest {registry}/gold/plat:v1"),
    _c("manifest-platform", "manifest --platform linux/arm64 {registry}/gold/plat:v1"),
    _c("manifest-no-platform", "manifest --platform linux/s390x {registry}/gold/plat:v1"),
    _c("manifest-by-digest", "manifest {registry}/gold/img@{img_digest}"),
    _c("manifest-missing-arg", "manifest"),
    _c("manifest-two-args", "manifest {registry}/gold/img:v1 extra"),
    _c("manifest-unknown-flag", "manifest --bogus {registry}/gold/img:v1"),
    _c("manifest-not-found", "manifest {registry}/gold/missing:v1"),
    _c("manifest-digest-not-found", "manifest {registry}/gold/img@{missing}"),
    _c("manifest-one-char-repo", "manifest {registry}/x:v1"),
    _c("manifest-uppercase-repo", "manifest {registry}/Gold/img:v1"),
    _c("manifest-empty-tag", "manifest {registry}/gold/img:"),
    _c("manifest-bad-digest", "manifest {registry}/gold/img@sha256:abc"),
    _c("manifest-closed-port", "manifest {closed}/gold/img:v1"),
    _c("config-image", "config {registry}/gold/img:v1"),
    _c("config-index", "config {registry}/gold/plat:v1"),
    _c("config-platform", "config --platform linux/arm64 {registry}/gold/plat:v1"),
    _c("config-missing-arg", "config"),
    _c("config-not-found", "config {registry}/gold/missing:v1"),
    _c("digest-image", "digest {registry}/gold/img:v1"),
    _c("digest-index", "digest {registry}/gold/plat:v1"),
    _c("digest-platform", "digest --platform linux/arm64 {registry}/gold/plat:v1"),
    _c("digest-full-ref", "digest --full-ref {registry}/gold/img:v1"),
    _c("digest-tarball", "digest --tarball {tmp}/img.tar"),
    _c("digest-tarball-tag", "digest --tarball {tmp}/img.tar {registry}/gold/img:v1"),
    _c("digest-tarball-full-ref", "digest --full-ref --tarball {tmp}/img.tar"),
    _c("digest-tarball-missing", "digest --tarball {tmp}/none.tar"),
    _c("digest-missing-arg", "digest", compare="help", why=_COBRA_HELP, help_of=("digest",)),
    _c("digest-two-args", "digest {registry}/gold/img:v1 extra"),
    _c("digest-not-found", "digest {registry}/gold/missing:v1"),
    _c("digest-bad-reference", "digest {registry}/gold/img:a:b"),
    _c("digest-closed-port", "digest {closed}/gold/img:v1"),
    # blob, ls, catalog.
    _c("blob", "blob {registry}/gold/img@{img_layer}"),
    _c("blob-missing", "blob {registry}/gold/img@{missing}"),
    _c("blob-tag-not-digest", "blob {registry}/gold/img:v1"),
    _c("blob-missing-arg", "blob"),
    _c("ls", "ls {registry}/gold/img"),
    _c("ls-full-ref", "ls --full-ref {registry}/gold/img"),
    _c("ls-omit-digest-tags", "ls -O {registry}/gold/img"),
    _c("ls-missing-repo", "ls {registry}/gold/missing"),
    _c("ls-one-char-repo", "ls {registry}/x"),
    _c("ls-missing-arg", "ls"),
    _c("ls-closed-port", "ls {closed}/gold/img"),
    _c("catalog", "catalog {registry}"),
    _c("catalog-full-ref", "catalog --full-ref {registry}"),
    _c("catalog-missing-arg", "catalog"),
    _c("catalog-closed-port", "catalog {closed}"),
    # validate.
    _c("validate-remote", "validate --remote {registry}/gold/img:v1"),
    _c("validate-remote-index", "validate --remote {registry}/gold/plat:v1"),
    _c("validate-fast", "validate --fast --remote {registry}/gold/img:v1"),
    _c("validate-tarball", "validate --tarball {tmp}/img.tar"),
    _c(
        "validate-corrupt-tarball",
        "validate --tarball {tmp}/corrupt.tar",
        compare="prefix",
        why="after the prefix comes the validation error in each one's own words",
        prefix="FAIL: {tmp}/corrupt.tar: ",
    ),
    _c("validate-missing-tarball", "validate --tarball {tmp}/none.tar"),
    _c("validate-remote-not-found", "validate --remote {registry}/gold/missing:v1"),
    _c("validate-nothing", "validate"),
    _c("validate-extra-arg", "validate extra"),
    # export.
    _c("export-stdout", "export {registry}/gold/img:v1 -"),
    _c("export-file", "export {registry}/gold/img:v1 {tmp}/fs.tar"),
    _c("export-missing-arg", "export"),
    _c("export-three-args", "export a b c"),
    _c("export-not-found", "export {registry}/gold/missing:v1 -"),
    # pull and push.
    _c("pull-tarball", "pull {registry}/gold/img:v1 {tmp}/pulled.tar"),
    _c("pull-digest-of-pulled", "digest --tarball {tmp}/pulled.tar"),
    _c("pull-legacy", "pull --format legacy {registry}/gold/img:v1 {tmp}/legacy.tar"),
    _c("pull-oci", "pull --format oci {registry}/gold/plat:v1 {tmp}/layout"),
    _c("pull-bad-format", "pull --format zip {registry}/gold/img:v1 {tmp}/x"),
    _c("pull-one-arg", "pull {registry}/gold/img:v1"),
    _c("pull-not-found", "pull {registry}/gold/missing:v1 {tmp}/missing.tar"),
    _c("push-tarball", "push {tmp}/pulled.tar {registry}/gold/pushed:v1"),
    _c("push-layout-index", "push --index {tmp}/layout {registry}/gold/pushed:index"),
    _c("push-image-refs", "push --image-refs {tmp}/refs {tmp}/img.tar {registry}/gold/pushed:v2"),
    _c("push-missing-file", "push {tmp}/none.tar {registry}/gold/pushed:v3"),
    _c("push-one-arg", "push {tmp}/img.tar"),
    _c("push-closed-port", "push {tmp}/img.tar {closed}/gold/pushed:v1"),
    # copy, tag, delete.
    _c("copy", "copy {registry}/gold/img:v1 {registry}/gold/copy:v1"),
    _c("cp-index", "cp {registry}/gold/plat:v1 {registry}/gold/copy:plat"),
    _c(
        "copy-platform",
        "copy --platform linux/arm64 {registry}/gold/plat:v1 {registry}/gold/copy:arm",
    ),
    _c("copy-no-clobber", "copy -n {registry}/gold/img:v1 {registry}/gold/copy:v1"),
    _c("copy-all-tags", "copy -a {registry}/gold/img {registry}/gold/all"),
    _c("copy-one-arg", "copy {registry}/gold/img:v1"),
    _c("copy-not-found", "copy {registry}/gold/missing:v1 {registry}/gold/copy:v2"),
    _c("copy-bad-destination", "copy {registry}/gold/img:v1 {registry}/x:v1"),
    _c("tag", "tag {registry}/gold/copy:v1 v2"),
    _c("tag-listed", "ls {registry}/gold/copy"),
    _c("tag-bad-tag", "tag {registry}/gold/copy:v1 'bad tag'"),
    _c("tag-one-arg", "tag {registry}/gold/copy:v1"),
    _c("tag-not-found", "tag {registry}/gold/missing:v1 v2"),
    _c("delete", "delete {registry}/gold/copy@{img_digest}"),
    _c("delete-gone", "manifest {registry}/gold/copy@{img_digest}"),
    _c("delete-missing-arg", "delete"),
    # append: layers are given gzipped, so the digests are Go's.
    _c("append", "append -f {tmp}/layer.tar.gz -t {registry}/gold/app:v1"),
    _c(
        "append-base",
        "append --set-base-image-annotations -b {registry}/gold/base:v1 -f "
        "{tmp}/layer.tar.gz -t {registry}/gold/app:v2",
        compare="exit",
        why=_ADDRESS,
    ),
    _c("append-base-manifest", "manifest {registry}/gold/app:v2"),
    _c("append-base-config", "config {registry}/gold/app:v2"),
    _c(
        "append-oci-empty-base",
        "append --oci-empty-base -f {tmp}/layer.tar.gz -t {registry}/gold/app:oci",
    ),
    _c(
        "append-tarball",
        "append -f {tmp}/layer.tar.gz -t {registry}/gold/app:v3 -o {tmp}/appended.tar",
    ),
    _c("append-tarball-digest", "digest --tarball {tmp}/appended.tar"),
    _c(
        "append-uncompressed",
        "append -f {tmp}/layer.tar -t {registry}/gold/app:v4",
        compare="exit",
        why=_REBUILT,
    ),
    _c("append-no-flags", "append"),
    _c("append-no-tag", "append -f {tmp}/layer.tar.gz"),
    _c("append-missing-layer", "append -f {tmp}/none.tar -t {registry}/gold/app:v5"),
    _c(
        "append-base-and-oci",
        "append -b {registry}/gold/base:v1 --oci-empty-base -f {tmp}/layer.tar.gz -t "
        "{registry}/gold/app:v6",
    ),
    # mutate.
    _c("mutate-label", "mutate -l a=b {registry}/gold/img:v1 -t {registry}/gold/mut:label"),
    _c("mutate-annotation", "mutate -a k=v {registry}/gold/img:v1 -t {registry}/gold/mut:anno"),
    _c(
        "mutate-config",
        "mutate --env A=1 --env B=2 --entrypoint /bin/sh,-c --cmd echo -u nobody -w /work "
        "--exposed-ports 80/tcp {registry}/gold/img:v1 -t {registry}/gold/mut:config",
    ),
    _c(
        "mutate-platform",
        "mutate --set-platform linux/arm64 {registry}/gold/img:v1 -t {registry}/gold/mut:plat",
    ),
    _c("mutate-index-child", "mutate -l a=b {registry}/gold/plat:v1 -t {registry}/gold/mut:child"),
    _c("mutate-repo", "mutate -l a=b --repo {registry}/gold/mutrepo {registry}/gold/img:v1"),
    _c("mutate-tarball", "mutate -l a=b -o {tmp}/mutated.tar {registry}/gold/img:v1"),
    _c(
        "mutate-append",
        "mutate --append {tmp}/layer.tar.gz {registry}/gold/img:v1 -t {registry}/gold/mut:append",
    ),
    _c("mutate-empty-label", "mutate -l a= {registry}/gold/img:v1"),
    _c("mutate-bad-label", "mutate -l novalue {registry}/gold/img:v1"),
    _c("mutate-missing-arg", "mutate"),
    _c("mutate-not-found", "mutate -l a=b {registry}/gold/missing:v1"),
    # flatten and rebase.
    _c(
        "flatten",
        "flatten {registry}/gold/img:v1 -t {registry}/gold/flat:v1",
        compare="exit",
        why=_REBUILT + "; created is now",
    ),
    _c("flatten-missing-arg", "flatten"),
    _c("flatten-not-found", "flatten {registry}/gold/missing:v1"),
    # crane looks for the old base by digest in the new base's repository.
    _c("rebase-new-base-in-place", "copy {registry}/gold/newbase:v1 {registry}/gold/base:v2"),
    _c(
        "rebase",
        "rebase {registry}/gold/app:v2 --new_base {registry}/gold/base:v2 -t "
        "{registry}/gold/rebased:v1",
        compare="exit",
        why=_ADDRESS,
    ),
    _c(
        "rebase-old-base-elsewhere",
        "rebase {registry}/gold/app:v2 --new_base {registry}/gold/newbase:v1 -t "
        "{registry}/gold/rebased:v0",
    ),
    _c("rebase-manifest", "manifest {registry}/gold/rebased:v1"),
    _c("rebase-config", "config {registry}/gold/rebased:v1"),
    _c(
        "rebase-explicit",
        "rebase {registry}/gold/img:v1 --old_base {registry}/gold/base:v1 --new_base "
        "{registry}/gold/newbase:v1 -t {registry}/gold/rebased:v2",
        compare="exit",
        why=_ADDRESS,
    ),
    _c("rebase-explicit-manifest", "manifest {registry}/gold/rebased:v2"),
    _c("rebase-explicit-config", "config {registry}/gold/rebased:v2"),
    _c("rebase-no-base", "rebase {registry}/gold/img:v1 -t {registry}/gold/rebased:v3"),
    _c("rebase-missing-arg", "rebase"),
    _c(
        "rebase-index",
        "rebase {registry}/gold/plat:v1 --old_base {registry}/gold/base:v1 --new_base "
        "{registry}/gold/newbase:v1",
    ),
    # index.
    _c("index-list", "index list {registry}/gold/plat:v1"),
    _c("index-list-layout", "index list {tmp}/layout"),
    _c(
        "index-filter",
        "index filter --platform linux/amd64 {registry}/gold/plat:v1 -t "
        "{registry}/gold/filtered:v1",
    ),
    _c(
        "index-append",
        "index append -t {registry}/gold/newidx:v1 -m {registry}/gold/img:v1 -m "
        "{registry}/gold/arm:v1",
    ),
    _c(
        "index-append-docker",
        "index append --docker-empty-base -t {registry}/gold/newidx:v2 -m {registry}/gold/img:v1",
    ),
    _c(
        "index-append-base",
        "index append {registry}/gold/plat:v1 -m {registry}/gold/base:v1 -t "
        "{registry}/gold/newidx:v3",
    ),
    _c("index-append-nothing", "index append"),
    _c("index-list-image", "index list {registry}/gold/img:v1"),
    _c("index-no-subcommand", "index"),
    _c("index-list-missing-arg", "index list"),
    _c("index-filter-not-found", "index filter --platform linux/amd64 {registry}/gold/missing:v1"),
    # edit (hidden): stdin is not a terminal, so the new content is read from it.
    _c(
        "edit-config",
        "edit config {registry}/gold/base:v1 -t {registry}/gold/edited:v1",
        stdin=(
            '{"architecture":"amd64","os":"linux",'
            '"rootfs":{"type":"layers","diff_ids":[]},"config":{}}'
        ),
    ),
    _c("edit-no-subcommand", "edit"),
    _c("edit-config-missing-arg", "edit config"),
    # auth: a docker config of our own in {tmp}/home.
    _c("auth-no-subcommand", "auth"),
    _c("auth-get-none", "auth get {registry}"),
    _c("auth-get-stdin", "auth get", stdin="{registry}\n"),
    _c("auth-login", "auth login {registry} -u user -p secret"),
    _c("auth-get", "auth get {registry}"),
    _c("auth-logout", "auth logout {registry}"),
    _c("auth-get-after-logout", "auth get {registry}"),
    _c("auth-login-missing-arg", "auth login"),
    _c("auth-token-anonymous", "auth token {registry}/gold/img"),
    _c("auth-token-missing-arg", "auth token"),
    # registry and layout.
    _c(
        "registry-no-subcommand",
        "registry",
        compare="help",
        why=_COBRA_HELP,
        help_of=("registry",),
    ),
    _c("registry-serve-extra-arg", "registry serve extra"),
    _c("registry-serve-unknown-flag", "registry serve --bogus"),
    _c("layout-no-subcommand", "layout", compare="help", why=_COBRA_HELP, help_of=("layout",)),
    _c("layout-gc", "layout gc {tmp}/layout"),
    _c("layout-gc-missing-arg", "layout gc"),
    # More bad input, and the global flags.
    _c("help-unknown-topic", "help bogus"),
    _c(
        "help-extra-words",
        "help index bogus",
        compare="help",
        why=_COBRA_HELP,
        help_of=("index",),
    ),
    _c("version-unknown-flag", "version --bogus"),
    _c("platform-bad-value", "digest --platform linux/amd64/v8/x/y {registry}/gold/plat:v1"),
    _c("platform-all", "digest --platform all {registry}/gold/plat:v1"),
    _c("platform-os-only", "digest --platform linux {registry}/gold/plat:v1"),
    _c("platform-after-command", "manifest {registry}/gold/plat:v1 --platform linux/arm64"),
    _c("verbose", "-v digest {registry}/gold/img:v1"),
    _c("insecure", "--insecure digest {registry}/gold/img:v1"),
    _c("blob-bad-digest", "blob {registry}/gold/img@sha256:xyz"),
    _c("config-index-no-amd64", "config {registry}/gold/filtered:v1"),
    _c("export-index", "export {registry}/gold/plat:v1 -"),
    _c("export-tarball-stdin-missing", "export {tmp}/none.tar -"),
    _c(
        "export-local-tarball",
        "export {tmp}/img.tar -",
        compare="beyond",
        why="crane export reads registries only (it takes the path for a reference on Docker "
        "Hub); ours also reads tarballs and layouts, as every command that reads an image",
    ),
    _c("digest-tarball-not-a-tarball", "digest --tarball {tmp}/layer.tar"),
    _c("validate-tarball-not-a-tarball", "validate --tarball {tmp}/layer.tar"),
    _c(
        "validate-layout",
        "validate --tarball {tmp}/layout",
        compare="beyond",
        why="crane validate --tarball reads docker tarballs only; ours also OCI layouts",
    ),
    _c("digest-tarball-layout", "digest --tarball {tmp}/layout"),
    _c("push-layout-single-index", "push {tmp}/layout {registry}/gold/pushed:v4"),
    _c("push-not-a-tarball", "push {tmp}/layer.tar {registry}/gold/pushed:v5"),
    _c(
        "pull-annotate-ref",
        "pull --format oci --annotate-ref {registry}/gold/img:v1 {tmp}/annotated",
    ),
    _c("pull-annotated-list", "index list {tmp}/annotated"),
    _c("pull-cache", "pull -c {tmp}/cache {registry}/gold/img:v1 {tmp}/cached.tar"),
    _c("pull-two-images", "pull {registry}/gold/img:v1 {registry}/gold/arm:v1 {tmp}/two.tar"),
    _c("pull-two-images-digest", "digest --tarball {tmp}/two.tar"),
    _c("pull-two-images-digest-tag", "digest --tarball {tmp}/two.tar {registry}/gold/arm:v1"),
    _c("pull-by-digest", "pull {registry}/gold/img@{img_digest} {tmp}/by-digest.tar"),
    _c("pull-into-missing-dir", "pull {registry}/gold/img:v1 {tmp}/no/such/dir/x.tar"),
    _c("tag-by-digest", "tag {registry}/gold/img@{img_digest} v9"),
    _c("tag-listed-by-digest", "ls {registry}/gold/img"),
    _c("delete-tag", "delete {registry}/gold/img:v9"),
    _c("delete-not-found", "delete {registry}/gold/img@{missing}"),
    _c("copy-to-itself", "copy {registry}/gold/img:v1 {registry}/gold/img:v1"),
    _c("copy-no-clobber-new-tag", "copy -n {registry}/gold/img:v1 {registry}/gold/copy:v7"),
    _c("mutate-index-annotation", "mutate -a k=v {registry}/gold/plat:v1"),
    _c("mutate-digest-ref", "mutate -l a=b {registry}/gold/img@{img_digest}"),
    _c("mutate-bad-platform", "mutate --set-platform x/y/z/w/v {registry}/gold/img:v1"),
    _c(
        "flatten-index",
        "flatten {registry}/gold/plat:v1 -t {registry}/gold/flat:idx",
        compare="exit",
        why=_REBUILT,
    ),
    _c(
        "index-filter-no-platform",
        "index filter {registry}/gold/plat:v1 -t {registry}/gold/filtered:v2",
    ),
    _c(
        "index-filter-two",
        "index filter --platform linux/amd64 --platform linux/arm64 {registry}/gold/plat:v1 "
        "-t {registry}/gold/filtered:v3",
    ),
    _c("index-append-no-tag", "index append -m {registry}/gold/img:v1"),
    _c(
        "index-append-missing-manifest",
        "index append -t {registry}/gold/newidx:v4 -m {registry}/gold/missing:v1",
    ),
    _c(
        "edit-manifest",
        "edit manifest {registry}/gold/base:v1 -t {registry}/gold/edited:v2",
        stdin="{manifest_base}",
    ),
    _c(
        "edit-manifest-not-json",
        "edit manifest {registry}/gold/base:v1 -t {registry}/gold/edited:v3",
        stdin="not json",
    ),
    _c("edit-fs-missing-filename", "edit fs {registry}/gold/base:v1"),
    # edit prints the tag it pushed to, not a digest: the new layer's gzip is no matter.
    _c(
        "edit-fs",
        "edit fs {registry}/gold/base:v1 -f /etc/motd -t {registry}/gold/edited:v4",
        stdin="edited\n",
    ),
    _c("auth-login-no-credentials", "auth login {registry}"),
    _c("auth-logout-not-logged-in", "auth logout {registry}"),
    _c("auth-get-extra-arg", "auth get a b"),
    _c("registry-serve-bad-address", "registry serve --address 256.0.0.1:bad"),
    _c("layout-gc-not-a-layout", "layout gc {tmp}/none"),
    _c("catalog-bad-registry", "catalog 'bad host'"),
    _c("ls-bad-registry", "ls 'bad host/ab'"),
    # Arguments too many, too few, or unknown, for each remaining command.
    _c("blob-two-args", "blob {registry}/gold/img@{img_layer} extra"),
    _c("catalog-two-args", "catalog {registry} extra"),
    _c("config-two-args", "config {registry}/gold/img:v1 extra"),
    _c("copy-three-args", "copy {registry}/gold/img:v1 {registry}/gold/copy:v8 extra"),
    _c("copy-unknown-flag", "copy --bogus {registry}/gold/img:v1 {registry}/gold/copy:v8"),
    _c("delete-two-args", "delete {registry}/gold/copy:v1 extra"),
    _c("flatten-two-args", "flatten {registry}/gold/img:v1 extra"),
    _c("index-filter-missing-arg", "index filter"),
    _c("index-list-two-args", "index list {registry}/gold/plat:v1 extra"),
    _c("ls-two-args", "ls {registry}/gold/img extra"),
    _c("ls-unknown-flag", "ls --bogus {registry}/gold/img"),
    _c("mutate-two-args", "mutate -l a=b {registry}/gold/img:v1 extra"),
    _c("pull-unknown-flag", "pull --bogus {registry}/gold/img:v1 {tmp}/x.tar"),
    _c("push-three-args", "push {tmp}/img.tar {registry}/gold/pushed:v6 extra"),
    _c("rebase-two-args", "rebase {registry}/gold/img:v1 extra"),
    _c("tag-three-args", "tag {registry}/gold/copy:v1 v3 extra"),
    _c("auth-logout-missing-arg", "auth logout"),
    _c("auth-token-two-args", "auth token {registry}/gold/img extra"),
    _c("edit-manifest-missing-arg", "edit manifest"),
    _c("append-unknown-flag", "append --bogus -f {tmp}/layer.tar.gz -t {registry}/gold/app:v7"),
    # The catalog again, after everything above wrote to the registry.
    _c("catalog-at-the-end", "catalog {registry}"),
)


# --- deterministic content ---------------------------------------------------------


def stored_gzip(data: bytes) -> bytes:
    """``data`` as a gzip member of stored (uncompressed) deflate blocks.

    The same bytes on every machine, whatever zlib it has: header with mtime 0 and
    OS 255 as Go writes it, blocks of at most 65535 bytes, then CRC-32 and size.
    """
    out = bytearray(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff")
    chunks = [data[i : i + 0xFFFF] for i in range(0, len(data), 0xFFFF)] or [b""]
    for number, chunk in enumerate(chunks):
        final = 1 if number == len(chunks) - 1 else 0
        out += struct.pack("<BHH", final, len(chunk), len(chunk) ^ 0xFFFF) + chunk
    out += struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
    return bytes(out)


def tar_of(files: Mapping[str, bytes]) -> bytes:
    """A tar of ``files`` (names sorted, mode 0644, mtime 0) in Go's byte layout."""
    from containerregistry.archive import TarWriter

    buffer = io.BytesIO()
    with TarWriter(buffer) as writer:
        for name in sorted(files):
            writer.add_file(name, files[name])
    return buffer.getvalue()


#: The layers: (file name in {tmp}, files in the tar).
LAYERS: dict[str, dict[str, bytes]] = {
    "base": {"etc/os-release": b"NAME=golden\n"},
    "img": {"usr/bin/tool": b"#!/bin/sh\necho tool\n", "etc/motd": b"hello\n"},
    "arm": {"usr/bin/tool": b"#!/bin/sh\necho arm\n"},
    "newbase": {"etc/os-release": b"NAME=newbase\n"},
    "layer": {"app/data.txt": b"appended\n"},
}


@dataclasses.dataclass
class Workspace:
    """The registry, files and placeholders one run of :data:`CASES` uses.

    Attributes:
        tmp: the work directory (``{tmp}``); the commands run in it, with ``HOME``
            and ``DOCKER_CONFIG`` inside it.
        registry: ``127.0.0.1:PORT`` of the seeded embedded registry.
        closed: ``127.0.0.1:PORT`` of a port that was just closed.
        values: every placeholder's value, ``registry`` and ``tmp`` included.
    """

    tmp: Path
    registry: str
    closed: str
    values: dict[str, str]

    def expand(self, text: str) -> str:
        """``text`` with every ``{placeholder}`` replaced by its value."""
        for key, value in self.values.items():
            text = text.replace("{" + key + "}", value)
        return text

    def normalize(self, output: bytes) -> bytes:
        """``output`` with the dynamic values put back as placeholders.

        Only the values that differ between runs (directory and addresses) are
        replaced; digests are the same in every run and stay.
        """
        for key in ("tmp", "registry", "closed"):
            output = output.replace(self.values[key].encode(), ("{" + key + "}").encode())
        return output

    def environment(self) -> dict[str, str]:
        """The environment the commands run in: no proxies, our own docker config."""
        home = self.tmp / "home"
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "DOCKER_CONFIG": str(home / ".docker"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_RUNTIME_DIR": str(home / "run"),
            "NO_COLOR": "1",
            "TERM": "dumb",
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
        }


def _image(layer_names: Sequence[str], architecture: str, tmp: Path) -> Any:
    from containerregistry import empty, mutate, tarball

    layers = [tarball.layer_from_file(str(tmp / f"{name}.tar.gz")) for name in layer_names]
    image = mutate.append_layers(empty.image, *layers)
    config = dataclasses.replace(image.config_file(), architecture=architecture, os="linux")
    return mutate.config_file(image, config)


def _seed(tmp: Path, registry: str) -> dict[str, str]:
    """Write the input files and push the images; return the digest placeholders."""
    from containerregistry import empty, mutate, name, remote, tarball
    from containerregistry.v1 import Platform

    for layer, files in LAYERS.items():
        raw = tar_of(files)
        (tmp / f"{layer}.tar").write_bytes(raw)
        (tmp / f"{layer}.tar.gz").write_bytes(stored_gzip(raw))
    options: dict[str, Any] = {"insecure": True}
    base = _image(["base"], "amd64", tmp)
    img = _image(["base", "img"], "amd64", tmp)
    arm = _image(["base", "arm"], "arm64", tmp)
    newbase = _image(["newbase"], "amd64", tmp)
    for repo, image in (("base", base), ("img", img), ("arm", arm), ("newbase", newbase)):
        remote.write(name.parse_reference(f"{registry}/gold/{repo}:v1"), image, **options)
    plat = mutate.append_manifests(
        empty.index,
        mutate.IndexAddendum(add=img, platform=Platform(architecture="amd64", os="linux")),
        mutate.IndexAddendum(add=arm, platform=Platform(architecture="arm64", os="linux")),
    )
    remote.write_index(name.parse_reference(f"{registry}/gold/plat:v1"), plat, **options)
    tarball.write_to_file(
        str(tmp / "img.tar"), name.parse_reference(f"{registry}/gold/img:v1"), img
    )
    corrupt = bytearray((tmp / "img.tar").read_bytes())
    # Stored deflate blocks show the tar in clear: a letter changed in the base
    # layer's file keeps the gzip framing but breaks its CRC and the layer digest.
    corrupt[corrupt.index(b"NAME=golden")] ^= 0x20
    (tmp / "corrupt.tar").write_bytes(bytes(corrupt))
    return {
        "manifest_base": base.raw_manifest().decode(),
        "img_digest": str(img.digest()),
        "img_layer": str(img.layers()[1].digest()),
    }


def _closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"127.0.0.1:{port}"


@contextlib.contextmanager
def workspace(tmp: Path) -> Iterator[Workspace]:
    """Start a seeded embedded registry and lay out the input files in ``tmp``."""
    from containerregistry.registry import Registry, make_server

    (tmp / "home" / ".docker").mkdir(parents=True)
    (tmp / "home" / ".docker" / "config.json").write_text("{}\n")
    server = make_server(Registry(), address="127.0.0.1:0").start()
    try:
        registry = f"127.0.0.1:{server.port}"
        digests = _seed(tmp, registry)
        closed = _closed_port()
        values = {
            "tmp": str(tmp),
            "registry": registry,
            "closed": closed,
            "missing": MISSING_DIGEST,
            **digests,
        }
        yield Workspace(tmp, registry, closed, values)
    finally:
        server.stop()


# --- running and recording ---------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Result:
    """What one command line did: stdout (placeholders put back), exit code, stderr."""

    stdout: bytes
    exit: int
    stderr: str

    @property
    def stderr_first_line(self) -> str:
        """The first non-empty stderr line, without Go's log timestamp."""
        for line in self.stderr.splitlines():
            if line.strip():
                return _LOG_PREFIX.sub("", line)
        return ""


def run_case(crane: Sequence[str], case: Case, space: Workspace, timeout: float = 120) -> Result:
    """Run ``crane`` (a command prefix) with the case's arguments in ``space``."""
    argv = [*crane, *(space.expand(arg) for arg in case.argv)]
    stdin = space.expand(case.stdin).encode() if case.stdin is not None else b""
    done = subprocess.run(
        argv,
        input=stdin,
        capture_output=True,
        cwd=space.tmp,
        env=space.environment(),
        timeout=timeout,
        check=False,
    )
    stderr = space.normalize(done.stderr).decode("utf-8", "replace")
    return Result(space.normalize(done.stdout), done.returncode, stderr)


def run_help(crane: Sequence[str], case: Case, space: Workspace) -> Result:
    """Run ``crane <help_of> --help``: what a ``help`` case's stdout must be."""
    return run_case(crane, Case(case.id, (*case.help_of, "--help")), space)


def stdout_record(stdout: bytes) -> dict[str, Any]:
    """How stdout is kept in the fixture: text, or a digest and size."""
    try:
        text = stdout.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and len(stdout) <= STDOUT_TEXT_LIMIT:
        return {"stdout": text}
    return {
        "stdout_sha256": hashlib.sha256(stdout).hexdigest(),
        "stdout_size": len(stdout),
    }


def record(case: Case, result: Result) -> dict[str, Any]:
    """The fixture entry for ``case``: its command line, compare mode and Go's result."""
    entry: dict[str, Any] = {"argv": list(case.argv)}
    if case.stdin is not None:
        entry["stdin"] = case.stdin
    entry["compare"] = case.compare
    if case.why:
        entry["why"] = case.why
    entry["exit"] = result.exit
    entry.update(stdout_record(result.stdout))
    entry["stderr_first_line"] = result.stderr_first_line
    return entry


def load_fixture(path: Path = FIXTURE) -> dict[str, Any]:
    """Read the recorded fixture."""
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def stdout_matches(entry: Mapping[str, Any], stdout: bytes) -> bool:
    """Whether ``stdout`` is what the fixture entry recorded, byte for byte."""
    return stdout_record(stdout) == {
        key: entry[key] for key in ("stdout", "stdout_sha256", "stdout_size") if key in entry
    }


def describe(stdout: bytes) -> str:
    """A short printable form of stdout for failure messages."""
    shown = stdout[:600]
    try:
        return repr(shown.decode("utf-8"))
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(shown).decode()
