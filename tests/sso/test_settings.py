"""Single sign-on's settings: read whole, and a bad one stops start-up naming it."""

from __future__ import annotations

from pathlib import Path

import pytest

from community.config import ConfigError, Settings, load_settings


def _load(tmp_path: Path, **env: str) -> Settings:
    return load_settings({"DATA_DIR": str(tmp_path), **env})


def test_without_an_issuer_there_is_no_single_sign_on(tmp_path: Path) -> None:
    assert _load(tmp_path).oidc is None


def test_every_setting_is_read(tmp_path: Path) -> None:
    oidc = _load(tmp_path, OIDC_ISSUER="https://id.example.gov.in/realms/igot/", OIDC_CLIENT_ID="community",
                 OIDC_CLIENT_SECRET="s3cret", OIDC_NAME_CLAIM="given_name", OIDC_EMAIL_CLAIM="mail",
                 OIDC_ORG_CLAIM="rootOrgName", OIDC_ROLES_CLAIM="realm_roles",
                 OIDC_ORG_MAP="Ministry of Electronics=MeitY, DoPT=DoPT", OIDC_ROLE_MAP="MDO_ADMIN=mdo_admin",
                 OIDC_BUTTON_LABEL="Sign in with Karmayogi", LOCAL_ACCOUNTS="false").oidc
    assert oidc is not None
    assert oidc.issuer == "https://id.example.gov.in/realms/igot/"  # kept exactly: the discovery document must match it
    assert (oidc.name_claim, oidc.email_claim, oidc.org_claim, oidc.roles_claim) == \
        ("given_name", "mail", "rootOrgName", "realm_roles")
    assert oidc.org_map == (("Ministry of Electronics", "MeitY"), ("DoPT", "DoPT"))
    assert oidc.role_map == (("MDO_ADMIN", "mdo_admin"),)
    assert (oidc.button_label, oidc.local_accounts) == ("Sign in with Karmayogi", False)
    assert "s3cret" not in repr(_load(tmp_path, OIDC_ISSUER="https://id.example.gov.in", OIDC_CLIENT_ID="c",
                                      OIDC_CLIENT_SECRET="s3cret"))


@pytest.mark.parametrize("env, setting", [
    ({"OIDC_ISSUER": "id.example.gov.in", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s"}, "OIDC_ISSUER"),
    ({"OIDC_ISSUER": "https://id.example.gov.in", "OIDC_CLIENT_SECRET": "s"}, "OIDC_CLIENT_ID"),
    ({"OIDC_ISSUER": "https://id.example.gov.in", "OIDC_CLIENT_ID": "c"}, "OIDC_CLIENT_SECRET"),
    ({"OIDC_CLIENT_ID": "c"}, "OIDC_CLIENT_ID"),
    ({"LOCAL_ACCOUNTS": "false"}, "LOCAL_ACCOUNTS"),
    ({"OIDC_ISSUER": "https://id.example.gov.in", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s",
      "LOCAL_ACCOUNTS": "perhaps"}, "LOCAL_ACCOUNTS"),
    ({"OIDC_ISSUER": "https://id.example.gov.in", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s",
      "OIDC_ORG_MAP": "MeitY"}, "OIDC_ORG_MAP"),
    ({"OIDC_ISSUER": "https://id.example.gov.in", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s",
      "OIDC_ROLE_MAP": "ADMIN=admin"}, "OIDC_ROLE_MAP"),
])
def test_a_bad_setting_is_named(tmp_path: Path, env: dict[str, str], setting: str) -> None:
    with pytest.raises(ConfigError) as raised:
        _load(tmp_path, **env)
    assert raised.value.setting == setting
