"""Every cache key carries a digest of the code: a new release never reads the old one's."""

from __future__ import annotations

from django.conf import settings

from config import settings as config_settings


def test_the_digest_follows_the_code_and_templates(tmp_path, monkeypatch) -> None:
    (tmp_path / "assessments").mkdir()
    (tmp_path / "templates").mkdir()
    module = tmp_path / "assessments" / "engine.py"
    module.write_text("class FeeSchedule: ...\n")
    (tmp_path / "templates" / "page.html").write_text("<p>one</p>")
    monkeypatch.setattr(config_settings, "BASE_DIR", tmp_path)

    first = config_settings._code_digest()
    assert config_settings._code_digest() == first  # stable
    module.write_text("class Fees: ...\n")
    renamed = config_settings._code_digest()
    (tmp_path / "templates" / "page.html").write_text("<p>two</p>")
    assert len({first, renamed, config_settings._code_digest()}) == 3


def test_the_running_settings_use_it() -> None:
    assert settings.CACHE_KEY_PREFIX.endswith(":" + config_settings._code_digest())
