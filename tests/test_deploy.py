"""The deployment files say only what the server does: the environment file lists exactly the
settings the server reads, and the Compose file passes no setting the server would ignore."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import yaml

from community.config import load_settings
from community.forums.limits import limits_from_env

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


class Recording(Mapping[str, str]):
    """An environment that remembers every name it is asked for."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.asked: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.asked.add(name)
        return self.values[name]

    def get(self, name: str, default: object = None) -> object:  # type: ignore[override]
        self.asked.add(name)
        return self.values.get(name, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def settings_read(tmp_path: Path) -> set[str]:
    """Every variable the server reads, with the optional groups switched on (SMTP, Meilisearch,
    single sign-on) so the settings read only when another is set are asked for too."""
    env = Recording({"DATA_DIR": str(tmp_path), "SMTP_HOST": "mail.internal", "SMTP_FROM": "c@example.gov.in",
                     "MEILISEARCH_URL": "http://search.internal:7700", "MEILISEARCH_KEY": "k",
                     "OIDC_ISSUER": "https://id.internal/realms/igot", "OIDC_CLIENT_ID": "community",
                     "OIDC_CLIENT_SECRET": "s"})
    limits_from_env(load_settings(env), env)
    return env.asked


def test_the_environment_file_lists_exactly_the_settings_read(tmp_path: Path) -> None:
    listed = re.findall(r"^#?([A-Z][A-Z0-9_]*)=", (DEPLOY / "community.env").read_text(), flags=re.MULTILINE)
    assert len(listed) == len(set(listed)), "a setting is listed twice"
    read = settings_read(tmp_path)
    assert {"SECRET_KEY", "SMTP_PASSWORD", "OVERLOAD_MAX_IN_FLIGHT", "FORUM_FLOOD_SECONDS"} <= read
    assert set(listed) == read


def test_the_compose_file_passes_only_settings_the_server_reads(tmp_path: Path) -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    apps = {name: service for name, service in compose["services"].items() if "build" in service}
    assert len(apps) >= 2, "Compose runs several server processes"
    read = settings_read(tmp_path)
    for name, service in apps.items():
        passed = set(service["environment"])
        assert passed <= read, f"{name} passes settings the server never reads: {sorted(passed - read)}"
        assert {"MONGODB_URI", "REDIS_URL", "MEILISEARCH_URL", "SECRET_KEY", "TRUSTED_PROXIES"} <= passed
        assert "replicaSet=" in service["environment"]["MONGODB_URI"]
    assert {"redis", "meilisearch", "nginx"} <= set(compose["services"])
