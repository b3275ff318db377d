import json

import pytest

from wxbot.errors import ConfigError
from wxbot.settings import Settings, load_settings, parse_service_hours, save_settings


def test_defaults_validate():
    s = Settings()
    s.validate()
    assert s.gpu_layers_value() is None
    assert s.reply_prefix == "[AI] "


def test_env_overrides_file(data_dir, monkeypatch):
    (data_dir / "settings.json").write_text(json.dumps({"context_size": 2048, "temperature": 0.2}))
    monkeypatch.setenv("WXBOT_CONTEXT_SIZE", "8192")
    monkeypatch.setenv("WXBOT_MODEL", "/tmp/x.gguf")
    s = load_settings()
    assert s.context_size == 8192  # env beats file
    assert s.temperature == 0.2  # file beats default
    assert s.model_path == "/tmp/x.gguf"
    assert s.data_path == data_dir


def test_bad_value_in_file_names_key_and_value_and_leaves_file(data_dir):
    path = data_dir / "settings.json"
    path.write_text('{"context_size": "huge"}')
    before = path.read_bytes()
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "context_size" in str(info.value) and "huge" in str(info.value)
    assert path.read_bytes() == before


@pytest.mark.parametrize("content,key", [
    ('{"gpu_layers": "lots"}', "gpu_layers"),
    ('{"temperature": 9}', "temperature"),
    ('{"language": "fr"}', "language"),
    ('{"nonsense": 1}', "nonsense"),
    ('{"faq_rules": [{"match": "regex", "pattern": "(", "answer": "x"}]}', "faq_rules[0].pattern"),
    ('{"service_hours": "9-5"}', "service_hours"),
    ('{"llm_backend": "openai"}', "openai_base_url"),
    ('{"llm_backend": "openai", "openai_base_url": "localhost:8080/v1"}', "openai_base_url"),
    ('{"llm_backend": "gpt"}', "llm_backend"),
    ('{"llm_backend": "openai", "openai_base_url": "http://[::1"}', "openai_base_url"),
    ('{"llm_backend": "openai", "openai_base_url": "http://127.0.0.1:8080\\n/v1"}', "openai_base_url"),
    ('{"llm_backend": "openai", "openai_base_url": "http://127.0.0.1:99999/v1"}', "openai_base_url"),
    ('{"llm_backend": "openai", "openai_base_url": "http://127.0.0.1:8080/v1#x"}', "openai_base_url"),
    ('{"openai_base_url": "http:// 192.168.1.20/v1"}', "openai_base_url"),
    ('{"wechat_base_url": "https://[fe80::1/"}', "wechat_base_url"),
    ('{not json', "settings"),
])
def test_bad_config_values_are_readable(data_dir, content, key):
    path = data_dir / "settings.json"
    path.write_text(content)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert key in str(info.value)
    assert path.read_text() == content


def test_bad_env_value(data_dir, monkeypatch):
    monkeypatch.setenv("WXBOT_MAX_REPLIES_PER_DAY", "many")
    with pytest.raises(ConfigError, match="max_replies_per_day"):
        load_settings()


def test_save_keeps_personal_text_out_of_the_plain_file(data_dir):
    s = load_settings().replace(persona="SECRET-PERSONA", context_size=2048, away_message="SECRET-AWAY")
    path = save_settings(s)
    text = path.read_text()
    assert "SECRET" not in text
    assert json.loads(text) == {"context_size": 2048}
    assert (path.stat().st_mode & 0o777) == 0o600
    assert load_settings().context_size == 2048


def test_service_hours_parse():
    assert parse_service_hours("09:00-21:30") == (540, 1290)
    assert parse_service_hours("22:00-06:00") == (1320, 360)
    with pytest.raises(ConfigError):
        parse_service_hours("25:00-06:00")


@pytest.mark.parametrize(("old", "mode"), [(True, "auto"), (False, "off")])
def test_the_old_new_contact_switch_keeps_the_owners_choice(data_dir, old, mode):
    (data_dir / "settings.json").write_text(json.dumps({"auto_reply_new_contacts": old}), encoding="utf-8")
    assert load_settings().new_contact_mode == mode


def test_new_contact_mode_from_env_and_checked(data_dir, monkeypatch):
    monkeypatch.setenv("WXBOT_NEW_CONTACT_MODE", "draft")
    assert load_settings().new_contact_mode == "draft"
    monkeypatch.setenv("WXBOT_NEW_CONTACT_MODE", "sometimes")
    with pytest.raises(ConfigError, match="new_contact_mode"):
        load_settings()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/v1", "https://api.deepseek.com", "http://[::1]:8080/v1",
                                 "HTTP://llm.local/v1"])
def test_good_server_addresses_pass(url):
    assert Settings(llm_backend="openai", openai_base_url=url, wechat_base_url=url).replace().openai_base_url == url
