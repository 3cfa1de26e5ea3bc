import os
import stat

from haven import privacy


def test_pseudonym_is_stable_keyed_and_channel_scoped():
    key = b"k" * 32
    first = privacy.pseudonymise("+4915112345678", "whatsapp", key)
    assert first == privacy.pseudonymise("+4915112345678", "whatsapp", key)
    assert first.startswith("whatsapp-") and len(first) == len("whatsapp-") + 32
    assert "4915112345678" not in first
    assert first != privacy.pseudonymise("+4915112345678", "sms", key)
    assert first != privacy.pseudonymise("+4915112345678", "whatsapp", b"other-key")
    assert privacy.pseudonymise(123456789, "telegram", key) != privacy.pseudonymise(
        123456780, "telegram", key
    )


def test_key_file_is_created_once_and_private(tmp_path):
    path = tmp_path / "secrets" / "pseudonym.key"
    key = privacy._read_or_create_key_file(path)
    assert len(key) == 64
    assert privacy._read_or_create_key_file(path) == key
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_environment_key_wins(monkeypatch):
    privacy.pseudonym_key.cache_clear()
    monkeypatch.setenv(privacy.KEY_ENV, "from-environment")
    try:
        assert privacy.pseudonym_key() == b"from-environment"
    finally:
        privacy.pseudonym_key.cache_clear()
