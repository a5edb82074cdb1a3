"""Settings read once from the environment, with development defaults.

With no configuration at all the server runs on embedded defaults: the store and the search
index live in ``DATA_DIR`` (``./data``) and a secret key is generated there on first start.
Every setting that is present is validated; a bad one stops start-up with :class:`ConfigError`,
whose message names the setting.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ConfigError(Exception):
    """A setting is missing or malformed; ``str(error)`` is one line naming it."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"{setting}: {problem}")
        self.setting = setting


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    sender: str


@dataclass(frozen=True, slots=True)
class OidcSettings:
    """Single sign-on with an OpenID Connect provider (``community.sso``)."""

    issuer: str
    client_id: str
    client_secret: str
    name_claim: str = "name"
    email_claim: str = "email"
    org_claim: str = "org"
    roles_claim: str = "roles"
    org_map: tuple[tuple[str, str], ...] = ()
    """The organisation claim's values and the short names of the server's organisations they mean."""
    role_map: tuple[tuple[str, str], ...] = ()
    """The roles claim's values and the server roles (only ``expert`` and ``mdo_admin``) they grant."""
    local_accounts: bool = True
    """Whether the server's own password accounts stay open beside the provider's sign-in."""
    button_label: str | None = None
    """The sign-in button's words; ``None`` is "Sign in with iGOT" in the reader's language."""

    def __repr__(self) -> str:  # the client secret never reaches a log line
        return f"OidcSettings(issuer={self.issuer!r}, client_id={self.client_id!r}, local_accounts={self.local_accounts})"


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    host: str
    port: int
    base_url: str
    secret_key: str
    storage_url: str
    database_name: str
    meilisearch_url: str | None
    meilisearch_key: str | None
    redis_url: str | None
    smtp: SmtpSettings | None
    log_level: str
    trusted_proxies: tuple[Network, ...]
    """Reverse proxies whose ``X-Forwarded-For`` is believed (``community.middlewares.forwarded_middleware``)."""
    session_idle_minutes: int
    """A browser session unused for this long ends (``community.accounts.sessions``)."""
    overload_max_in_flight: int
    """Requests served at once before new ones are refused with 503 (``community.overload``)."""
    overload_max_lag_ms: int
    """Event loop lag past which new requests are refused with 503 (``community.overload``)."""
    accepted_answer_points: int
    """Karma Points for an answer its question's author accepts (``community.forums.accept``)."""
    upvote_points: int
    """Karma Points for each upvote a post receives (``community.forums.vote``)..."""
    upvote_points_per_day: int
    """...and the most a person earns from upvotes in a day."""
    overdue_seconds: int = 300
    """``/readyz`` fails while a notification intent or a due job has waited longer than this."""
    lease_seconds: int = 120
    """How long a process holds a claimed intent or job; a killed process's work is taken over after it."""
    jobs_poll_seconds: int = 1
    """How often the job runner (``community.jobs.runner``) looks for due jobs."""
    connection_request_days: int = 30
    """A connection request nobody answered is dropped after this many days (``community.network.rules``)."""
    connection_requests_per_day: int = 50
    """How many connection requests one person may send in a day."""
    endorsements_to_verify: int = 2
    """Counting endorsements that verify a level (``community.profiles.verification``)..."""
    expert_endorsements_to_verify: int = 1
    """...or counting endorsements from experts in the competency that do."""
    room_attended_share: float = 0.5
    """The share of a live room's span a person must be present for to count as attended (``community.rooms.attendance``)."""
    oidc: OidcSettings | None = None
    """Single sign-on; ``None`` when ``OIDC_ISSUER`` is not set (only local accounts)."""
    jitsi_url: str = "https://meet.jit.si"
    """The Jitsi Meet server whose rooms event pages embed (``community.events.places``)."""
    bbb_url: str = ""
    """A BigBlueButton server's API base (``https://host/bigbluebutton``); none runs by default..."""
    bbb_secret: str = ""
    """...and the secret it shares with this server, which signs join links."""

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry ``Secure`` whenever the public address is HTTPS."""
        return self.base_url.startswith("https://")

    @property
    def embedded_storage(self) -> bool:
        return self.storage_url.startswith("sqlite:")

    def __repr__(self) -> str:  # never let a secret reach a log line
        return (
            f"Settings(data_dir={str(self.data_dir)!r}, host={self.host!r}, port={self.port}, "
            f"base_url={self.base_url!r}, storage={'embedded' if self.embedded_storage else 'mongodb'}, "
            f"search={'meilisearch' if self.meilisearch_url else 'embedded'}, "
            f"redis={'yes' if self.redis_url else 'no'}, smtp={'yes' if self.smtp else 'no'}, "
            f"trusted_proxies={[str(network) for network in self.trusted_proxies]}, "
            f"session_idle_minutes={self.session_idle_minutes}, "
            f"overload_max_in_flight={self.overload_max_in_flight}, overload_max_lag_ms={self.overload_max_lag_ms}, "
            f"oidc={self.oidc!r})"
        )


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
SESSION_LIFETIME_MINUTES = 14 * 24 * 60
"""A browser session ends this long after sign-in however busy it is; the idle limit cannot exceed it."""
OVERLOAD_MAX_IN_FLIGHT = 8
"""Measured with ``bench/overload.py`` on the embedded store, where a signed-in thread page is
about 5 ms of CPU: with 8 in flight, 32 connections (four times the 8 it sustains) got refusals
at p99 49 ms and accepted pages at p99 137 ms, no time-outs; with 16 or 24 the accepted p99
passed 250 ms and the refused one 90 ms, because a refusal waits in the loop behind the work
in flight. With MongoDB, where a request mostly waits on the network, raise it."""
OVERLOAD_MAX_LAG_MS = 200
"""A thread page's few milliseconds never make a timer this late, however many wait (the bench
saw no lag refusals at 64 connections); it catches long synchronous work, such as a broadcast
to a large room, that counting requests does not see."""


def _share(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(name, f"must be a number from 0.01 to 1, not {raw!r}") from None
    if not 0.01 <= value <= 1:
        raise ConfigError(name, f"must be from 0.01 to 1, not {raw!r}")
    return value


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, f"must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(name, f"must be between {low} and {high}, got {value}")
    return value


def _http_url(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(name, f"must be an http:// or https:// URL, got {raw!r}")
    return raw.rstrip("/")


def _secret(env: Mapping[str, str], data_dir: Path) -> str:
    given = env.get("SECRET_KEY")
    if given is not None:
        if len(given) < 32:
            raise ConfigError("SECRET_KEY", "must be at least 32 characters long")
        return given
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def _smtp(env: Mapping[str, str]) -> SmtpSettings | None:
    host = env.get("SMTP_HOST", "").strip()
    if not host:
        return None
    sender = env.get("SMTP_FROM", "").strip()
    if "@" not in sender:
        raise ConfigError("SMTP_FROM", "must be the sender's e-mail address when SMTP_HOST is set")
    tls = env.get("SMTP_STARTTLS", "true").lower()
    if tls not in ("true", "false", "1", "0", "yes", "no"):
        raise ConfigError("SMTP_STARTTLS", f"must be true or false, got {tls!r}")
    return SmtpSettings(
        host=host,
        port=_int(env, "SMTP_PORT", 587, 1, 65535),
        username=env.get("SMTP_USERNAME") or None,
        password=env.get("SMTP_PASSWORD") or None,
        starttls=tls in ("true", "1", "yes"),
        sender=sender,
    )


def _networks(env: Mapping[str, str], name: str) -> tuple[Network, ...]:
    """Comma-separated addresses or CIDR networks; a lone address is a network of one."""
    networks = []
    for item in env.get(name, "").split(","):
        if not item.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            raise ConfigError(name, f"must be IP addresses or CIDR networks separated by commas, "
                                    f"got {item.strip()!r}") from None
    return tuple(networks)


SSO_ROLES = ("expert", "mdo_admin")
"""The only roles a provider's claim may grant: platform administration and moderation stay with
the server's own administrators."""


def _pairs(env: Mapping[str, str], name: str, allowed: tuple[str, ...] = ()) -> tuple[tuple[str, str], ...]:
    """``claim=ours`` pairs separated by commas; ``allowed`` limits the right-hand side."""
    pairs = []
    for item in env.get(name, "").split(","):
        if not item.strip():
            continue
        theirs, equals, ours = item.partition("=")
        if not equals or not theirs.strip() or not ours.strip():
            raise ConfigError(name, f"must be claim=value pairs separated by commas, got {item.strip()!r}")
        if allowed and ours.strip() not in allowed:
            raise ConfigError(name, f"may map only to {', '.join(allowed)}, got {ours.strip()!r}")
        pairs.append((theirs.strip(), ours.strip()))
    return tuple(pairs)


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in ("true", "false", "1", "0", "yes", "no"):
        raise ConfigError(name, f"must be true or false, got {raw!r}")
    return raw in ("true", "1", "yes")


def _oidc(env: Mapping[str, str]) -> OidcSettings | None:
    if _http_url(env, "OIDC_ISSUER") is None:
        for name in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_ORG_MAP", "OIDC_ROLE_MAP"):
            if env.get(name, "").strip():
                raise ConfigError(name, "needs OIDC_ISSUER")
        if not _flag(env, "LOCAL_ACCOUNTS", True):
            raise ConfigError("LOCAL_ACCOUNTS", "may be false only when OIDC_ISSUER is set, or nobody could sign in")
        return None
    issuer = env["OIDC_ISSUER"].strip()  # as given: the provider's metadata must name exactly this issuer
    client_id = env.get("OIDC_CLIENT_ID", "").strip()
    secret = env.get("OIDC_CLIENT_SECRET", "")
    if not client_id:
        raise ConfigError("OIDC_CLIENT_ID", "is required when OIDC_ISSUER is set")
    if not secret:
        raise ConfigError("OIDC_CLIENT_SECRET", "is required when OIDC_ISSUER is set")
    claims = {}
    for name, default in (("NAME", "name"), ("EMAIL", "email"), ("ORG", "org"), ("ROLES", "roles")):
        claims[name] = env.get(f"OIDC_{name}_CLAIM", "").strip() or default
    return OidcSettings(
        issuer=issuer, client_id=client_id, client_secret=secret,
        name_claim=claims["NAME"], email_claim=claims["EMAIL"], org_claim=claims["ORG"], roles_claim=claims["ROLES"],
        org_map=_pairs(env, "OIDC_ORG_MAP"), role_map=_pairs(env, "OIDC_ROLE_MAP", SSO_ROLES),
        local_accounts=_flag(env, "LOCAL_ACCOUNTS", True),
        button_label=env.get("OIDC_BUTTON_LABEL", "").strip() or None,
    )


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every setting; create ``DATA_DIR`` if it is missing."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("DATA_DIR", "data")).expanduser().resolve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError("DATA_DIR", f"cannot create {data_dir}: {error.strerror}") from None
    host = env.get("HOST", "127.0.0.1")
    port = _int(env, "PORT", 8080, 1, 65535)
    base_url = _http_url(env, "BASE_URL") or f"http://{host}:{port}"
    mongodb_uri = env.get("MONGODB_URI", "").strip()
    if mongodb_uri and not mongodb_uri.startswith(("mongodb://", "mongodb+srv://")):
        raise ConfigError("MONGODB_URI", "must start with mongodb:// or mongodb+srv://")
    storage_url = mongodb_uri or f"sqlite:///{data_dir / 'community.db'}"
    meilisearch_url = _http_url(env, "MEILISEARCH_URL")
    meilisearch_key = env.get("MEILISEARCH_KEY") or None
    if meilisearch_url and not meilisearch_key:
        raise ConfigError("MEILISEARCH_KEY", "is required when MEILISEARCH_URL is set")
    redis_url = env.get("REDIS_URL", "").strip() or None
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError("REDIS_URL", "must start with redis://, rediss:// or unix://")
    log_level = env.get("LOG_LEVEL", "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError("LOG_LEVEL", f"must be one of {', '.join(LOG_LEVELS)}")
    database_name = env.get("DATABASE_NAME", "community")
    if not database_name.replace("_", "").isalnum():
        raise ConfigError("DATABASE_NAME", "may hold only letters, digits and underscores")
    return Settings(
        data_dir=data_dir,
        host=host,
        port=port,
        base_url=base_url,
        secret_key=_secret(env, data_dir),
        storage_url=storage_url,
        database_name=database_name,
        meilisearch_url=meilisearch_url,
        meilisearch_key=meilisearch_key,
        redis_url=redis_url,
        smtp=_smtp(env),
        log_level=log_level,
        trusted_proxies=_networks(env, "TRUSTED_PROXIES"),
        session_idle_minutes=_int(env, "SESSION_IDLE_MINUTES", 120, 5, SESSION_LIFETIME_MINUTES),
        overload_max_in_flight=_int(env, "OVERLOAD_MAX_IN_FLIGHT", OVERLOAD_MAX_IN_FLIGHT, 1, 100_000),
        overload_max_lag_ms=_int(env, "OVERLOAD_MAX_LAG_MS", OVERLOAD_MAX_LAG_MS, 10, 60_000),
        accepted_answer_points=_int(env, "FORUM_ACCEPTED_ANSWER_POINTS", 15, 0, 1000),
        upvote_points=_int(env, "FORUM_UPVOTE_POINTS", 2, 0, 1000),
        upvote_points_per_day=_int(env, "FORUM_UPVOTE_POINTS_PER_DAY", 40, 0, 1_000_000),
        overdue_seconds=_int(env, "BACKGROUND_OVERDUE_SECONDS", 300, 10, 86400),
        lease_seconds=_int(env, "BACKGROUND_LEASE_SECONDS", 120, 1, 86400),
        jobs_poll_seconds=_int(env, "JOBS_POLL_SECONDS", 1, 1, 3600),
        connection_request_days=_int(env, "CONNECTION_REQUEST_DAYS", 30, 1, 365),
        connection_requests_per_day=_int(env, "CONNECTION_REQUESTS_PER_DAY", 50, 1, 10_000),
        endorsements_to_verify=_int(env, "ENDORSEMENTS_TO_VERIFY", 2, 1, 100),
        expert_endorsements_to_verify=_int(env, "EXPERT_ENDORSEMENTS_TO_VERIFY", 1, 1, 100),
        room_attended_share=_share(env, "ROOM_ATTENDED_SHARE", 0.5),
        oidc=_oidc(env),
        jitsi_url=env.get("JITSI_URL", "https://meet.jit.si").rstrip("/"),
        bbb_url=env.get("BBB_URL", "").rstrip("/"),
        bbb_secret=env.get("BBB_SECRET", ""),
    )
