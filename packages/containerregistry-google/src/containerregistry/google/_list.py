"""``list``: GCR's extended ``tags/list`` (children, manifests with sizes and times)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import re
import threading
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urljoin, urlsplit

from containerregistry import name, transport
from containerregistry.authn import default_keychain, multi_keychain
from containerregistry.google._errors import ListingError
from containerregistry.google._keychain import KEYCHAIN, is_google_host
from containerregistry.lazy import record
from containerregistry.remote import OptionArgs, Options
from containerregistry.transport import RegistrySession, Retry, check_response, redact_url
from containerregistry.v1 import GoStruct, go_json_dumps

if TYPE_CHECKING:
    from typing_extensions import Unpack

#: Tags asked for per page from Google hosts: GCR answers everything in one page, and
#: a large ``n`` keeps Artifact Registry from paging.
GOOGLE_PAGE_SIZE = 10000

#: GCR's backoff for listings (ggcr's ``GCRBackoff``): 6 s, then 60 s, then 600 s, less
#: up to 10% jitter, capped at an hour. GCR answers 429 when a project's read quota is
#: spent, and the quota refills by the minute, so quick retries would only fail again.
GCR_RETRY = Retry(
    attempts=4,
    backoff=6.0,
    factor=10.0,
    jitter=0.1,
    max_wait=3600.0,
    status_codes=frozenset({429, *range(500, 600)}),
)

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_MS = datetime.timedelta(milliseconds=1)
_LINK = re.compile(r"<([^>]*)>")


def from_unix_ms(ms: int) -> datetime.datetime:
    """Return the UTC time ``ms`` milliseconds after the Unix epoch (exactly)."""
    return EPOCH + ms * _MS


def to_unix_ms(when: datetime.datetime) -> int:
    """Return ``when`` as whole milliseconds since the Unix epoch (rounded down)."""
    return (when - EPOCH) // _MS


def _number(value: Any, field: str, digest: str) -> int:
    """A count GCR sends as a decimal string (Artifact Registry sometimes as a number)."""
    if value is None or value == "":
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    raise ListingError(f"manifest {digest}: {field} {value!r} is not a whole number")


def _folded(data: Mapping[str, Any]) -> dict[str, Any]:
    """Keys lower-cased: GCR's key case varies and Go matches keys case-insensitively."""
    return {key.lower(): value for key, value in data.items()}


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ListingError(f"{what} should be a list of strings")
    return tuple(value)


@record
class ManifestInfo:
    """One manifest of a GCR listing.

    - ``image_size_bytes``: the image's size as GCR computes it (0 when not sent);
    - ``media_type``: the manifest's media type;
    - ``tags``: the tags pointing at it (empty: untagged);
    - ``time_created``: the image's creation time from its config (UTC; the Unix
      epoch when not sent);
    - ``time_uploaded``: when it was pushed (UTC; the Unix epoch when not sent).
    """

    image_size_bytes: int = 0
    media_type: str = ""
    tags: tuple[str, ...] = ()
    time_created: datetime.datetime = EPOCH
    time_uploaded: datetime.datetime = EPOCH

    @classmethod
    def from_dict(cls, data: Any, digest: str = "") -> ManifestInfo:
        """Parse a ``manifest`` entry: ``imageSizeBytes``, ``mediaType``, ``tag``,
        ``timeCreatedMs``, ``timeUploadedMs`` (numbers as strings; ``layerId`` ignored)."""
        if not isinstance(data, Mapping):
            raise ListingError(f"manifest {digest}: the entry should be a JSON object")
        fields = _folded(data)
        media_type = fields.get("mediatype") or ""
        if not isinstance(media_type, str):
            raise ListingError(f"manifest {digest}: mediaType should be a string")
        return cls(
            image_size_bytes=_number(fields.get("imagesizebytes"), "imageSizeBytes", digest),
            media_type=media_type,
            tags=_strings(fields.get("tag"), f"manifest {digest}: tag"),
            time_created=from_unix_ms(
                _number(fields.get("timecreatedms"), "timeCreatedMs", digest)
            ),
            time_uploaded=from_unix_ms(
                _number(fields.get("timeuploadedms"), "timeUploadedMs", digest)
            ),
        )

    def to_dict(self) -> GoStruct:
        """The entry as gcrane prints it: sizes and times as decimal strings."""
        return GoStruct(
            imageSizeBytes=str(self.image_size_bytes),
            mediaType=self.media_type,
            timeCreatedMs=str(to_unix_ms(self.time_created)),
            timeUploadedMs=str(to_unix_ms(self.time_uploaded)),
            tag=list(self.tags),
        )


@record
class Tags:
    """A repository's listing: GCR's extended ``tags/list``, or a plain one.

    - ``name``: the repository path the registry reported (e.g. ``project/app``);
    - ``tags``: every tag;
    - ``children``: the repositories one level below (names relative to this one);
    - ``manifests``: digest to :class:`ManifestInfo`;
    - ``extended``: whether the registry sent ``child`` or ``manifest`` (GCR and
      Artifact Registry do; other registries list tags only).
    """

    name: str
    tags: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    manifests: Mapping[str, ManifestInfo] = dataclasses.field(default_factory=dict)
    extended: bool = False

    @classmethod
    def from_json(cls, data: bytes | str | Mapping[str, Any]) -> Tags:
        """Parse a ``tags/list`` answer; raise :class:`ListingError` if it is malformed."""
        if isinstance(data, (bytes, str)):
            import json

            try:
                data = json.loads(data)
            except ValueError as exc:
                raise ListingError(f"the tags/list answer is not JSON: {exc}") from None
        if not isinstance(data, Mapping):
            raise ListingError("the tags/list answer should be a JSON object")
        fields = _folded(data)
        repository = fields.get("name") or ""
        if not isinstance(repository, str):
            raise ListingError("the tags/list name should be a string")
        raw_manifests = fields.get("manifest")
        if raw_manifests is not None and not isinstance(raw_manifests, Mapping):
            raise ListingError("the tags/list manifest field should be a JSON object")
        manifests = {
            str(digest): ManifestInfo.from_dict(entry, str(digest))
            for digest, entry in (raw_manifests or {}).items()
        }
        return cls(
            name=repository,
            tags=_strings(fields.get("tags"), "tags"),
            children=_strings(fields.get("child"), "child"),
            manifests=manifests,
            extended="child" in fields or "manifest" in fields,
        )

    @property
    def untagged(self) -> tuple[str, ...]:
        """The digests of manifests no tag points at, sorted (what ``gcrane gc`` lists)."""
        return tuple(sorted(d for d, info in self.manifests.items() if not info.tags))

    def to_json(self) -> bytes:
        """The listing as ``gcrane ls --json`` prints it (Go's ``json.Marshal`` bytes).

        Keys ``child``, ``manifest`` (digests sorted), ``name``, ``tags``; a listing
        that was not extended has ``null`` children and manifests, as in gcrane.
        """
        document = GoStruct(
            child=list(self.children) if self.extended else None,
            manifest={d: m.to_dict() for d, m in self.manifests.items()} if self.extended else None,
            name=self.name,
            tags=list(self.tags),
        )
        return go_json_dumps(document)

    def merged(self, page: Tags) -> Tags:
        """This listing with a further page's tags, children and manifests added."""
        return Tags(
            name=self.name or page.name,
            tags=self.tags + page.tags,
            children=tuple(dict.fromkeys(self.children + page.children)),
            manifests={**self.manifests, **page.manifests},
            extended=self.extended or page.extended,
        )


class ListArgs(OptionArgs, total=False):
    """The options of :func:`list` and :func:`walk`: remote's options (``keychain``,
    ``authenticator``, ``retry``, ``page_size``, ``insecure``, ``user_agent``...) plus:

    - ``jobs`` (from remote's): with :func:`walk`, repositories listed at once
      (default 4).
    """


def make_options(options: Mapping[str, Any]) -> Options:
    """Validate options, defaulting the keychain to Google's then docker's and the retry
    policy to :data:`GCR_RETRY`."""
    values = dict(options)
    if "keychain" not in values and "authenticator" not in values:
        values["keychain"] = multi_keychain(KEYCHAIN, default_keychain())
    values.setdefault("retry", GCR_RETRY)
    return Options.make(values)  # type: ignore[arg-type]


class Sessions:
    """Registry sessions for listings, shared where that is safe.

    A bearer token is scoped to repositories, so a registry that asks for one gets a
    fresh session per repository (closed after its listing), as ggcr does. A registry
    that is anonymous or takes basic credentials needs no scopes: one session per
    registry serves the whole walk, sparing a ping per repository.
    """

    def __init__(self, opts: Options) -> None:
        self._opts = opts
        self._lock = threading.Lock()
        self._shared: dict[tuple[str, bool], RegistrySession] = {}

    def _new(self, repository: name.Repository) -> RegistrySession:
        opts = self._opts
        return transport.new(
            repository.registry,
            opts.authenticator_for(repository),
            scopes=[repository.scope("pull")],
            insecure=opts.insecure,
            user_agent_product=opts.user_agent,
            ca_bundle=opts.ca_bundle,
            client_cert=opts.client_cert,
            retry=opts.retry,
            # A shared session carries up to ``jobs`` listings at once.
            pool_size=opts.jobs,
        )

    @contextlib.contextmanager
    def session(self, repository: name.Repository) -> Iterator[RegistrySession]:
        """A session that may list ``repository``, for the duration of the block."""
        key = (repository.registry.registry_str, repository.registry.insecure)
        with self._lock:
            shared = self._shared.get(key)
        if shared is not None:
            yield shared
            return
        session = self._new(repository)
        if session.bearer is None:
            with self._lock:
                kept = self._shared.setdefault(key, session)
            if kept is not session:
                session.close()
            yield kept
            return
        with session:
            yield session

    def close(self) -> None:
        """Close the shared sessions."""
        with self._lock:
            sessions, self._shared = list(self._shared.values()), {}
        for session in sessions:
            session.close()


def _next_url(current: str, link: str | None) -> str | None:
    """The next page from ``Link``, refused if it leaves the registry's scheme and host."""
    if not link:
        return None
    match = _LINK.search(link)
    if match is None:
        return None
    target: str = urljoin(current, match.group(1))
    here, there = urlsplit(current), urlsplit(target)
    if (here.scheme, here.netloc.lower()) != (there.scheme, there.netloc.lower()):
        raise ListingError(
            f"the next-page link {redact_url(target)} leaves {here.scheme}://{here.netloc}; "
            "refusing to follow it"
        )
    return target


def list_with(opts: Options, repository: name.Repository, sessions: Sessions) -> Tags:
    """:func:`list` with options already validated and sessions shared (for :func:`walk`)."""
    host = repository.registry.registry_str
    page_size = GOOGLE_PAGE_SIZE if is_google_host(host) else opts.page_size
    query = f"?{urlencode({'n': page_size})}" if page_size else ""
    with sessions.session(repository) as session:
        url: str | None = session.url(f"/v2/{repository.repository_str}/tags/list{query}")
        result: Tags | None = None
        while url is not None:
            response = session.get(url, headers={"Accept": "application/json"})
            check_response(response, 200)
            page = Tags.from_json(response.content)
            result = page if result is None else result.merged(page)
            url = _next_url(url, response.headers.get("Link"))
    assert result is not None
    return result


def list_repository(repository: name.Repository | str, **options: Unpack[ListArgs]) -> Tags:
    """Return the listing of ``repository``: GCR's children and manifests, and its tags.

    Google hosts (``gcr.io``, ``*.gcr.io``, ``*.pkg.dev``, ``*.google.com``) are
    asked for ``n=10000`` entries; other registries for ``page_size`` (default 1000),
    and ``Link`` pages are followed (never to another scheme or host). Options are
    remote's (see :class:`containerregistry.remote.OptionArgs`), with two different
    defaults: the keychain is Google's, then docker's; and ``retry`` is
    :data:`GCR_RETRY` (6 s, 60 s, 600 s on 429 and 5xx).

    Raises :class:`containerregistry.transport.RegistryError` when the registry
    refuses (e.g. 404 ``NAME_UNKNOWN``) and :class:`ListingError` for a malformed answer.
    """
    if isinstance(repository, str):
        repository = name.new_repository(repository, insecure=bool(options.get("insecure")))
    opts = make_options(options)
    sessions = Sessions(opts)
    try:
        return list_with(opts, repository, sessions)
    finally:
        sessions.close()
