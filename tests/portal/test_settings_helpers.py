import pytest
from django.core.exceptions import ImproperlyConfigured

from compassion_portal.settings import env_bool, env_int, env_list, env_secret, env_time_zone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        (" on ", True),
        ("0", False),
        ("off", False),
        ("", False),
    ],
)
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG") is expected


def test_env_bool_uses_default_when_unset(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)
    assert env_bool("FLAG", default=True) is True
    assert env_bool("FLAG", default=False) is False


def test_env_bool_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG")


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example.org, ,b.example.org ,")
    assert env_list("HOSTS") == ["a.example.org", "b.example.org"]


def test_env_list_default_is_a_copy(monkeypatch):
    monkeypatch.delenv("HOSTS", raising=False)
    default = ["localhost"]
    result = env_list("HOSTS", default)
    result.append("other")
    assert default == ["localhost"]


def test_env_int(monkeypatch):
    monkeypatch.setenv("N", "12")
    assert env_int("N", 3) == 12
    monkeypatch.setenv("N", "twelve")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("N", 3)


def test_env_secret_required_and_missing_fails(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        env_secret("SECRET_KEY", required=True)


def test_env_secret_optional_uses_fallback(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert env_secret("SECRET_KEY", required=False, fallback="dev") == "dev"
    monkeypatch.setenv("SECRET_KEY", "real")
    assert env_secret("SECRET_KEY", required=True) == "real"


def test_env_time_zone_takes_a_zone_name_and_refuses_anything_else(monkeypatch):
    monkeypatch.delenv("ZONE", raising=False)
    assert env_time_zone("ZONE", "America/Chicago") == "America/Chicago"
    monkeypatch.setenv("ZONE", "America/Denver")
    assert env_time_zone("ZONE", "America/Chicago") == "America/Denver"
    for nonsense in ("Central", "UTC+6", "America/Springfield"):
        monkeypatch.setenv("ZONE", nonsense)
        with pytest.raises(ImproperlyConfigured, match="time zone"):
            env_time_zone("ZONE", "America/Chicago")
