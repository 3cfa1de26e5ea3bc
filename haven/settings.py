"""Operator configuration: ``haven.yml`` merged with ``HAVEN__SECTION__KEY`` variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "HAVEN__"


class ConfigError(Exception):
    """The configuration file or an override is invalid; the message says how to fix it."""


def _parse_env_value(raw: str) -> Any:
    """Read an environment value as YAML so that numbers, booleans and lists keep their type."""
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw


def _apply_env_overrides(config: dict[str, Any], environ: dict[str, str]) -> None:
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        path = [part.lower() for part in name[len(ENV_PREFIX) :].split("__") if part]
        node = config
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"{name}: '{part}' is a value in haven.yml, not a section")
            node = child
        if path:
            node[path[-1]] = _parse_env_value(raw)


def load_settings(
    path: Path | None = None, environ: dict[str, str] | None = None
) -> dict[str, Any]:
    """Load ``haven.yml`` (or ``$HAVEN_CONFIG``) and apply environment overrides.

    Raises:
        ConfigError: the file is missing or is not a YAML mapping.
    """
    environ = dict(os.environ if environ is None else environ)
    path = path or Path(environ.get("HAVEN_CONFIG", PROJECT_ROOT / "haven.yml"))
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as error:
        raise ConfigError(f"configuration file not found: {path}") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(config, dict):
        raise ConfigError(f"{path} must hold a mapping of sections")
    _apply_env_overrides(config, environ)
    return config


@lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    """The process-wide settings, loaded once."""
    return load_settings()


def get(dotted: str, default: Any = None) -> Any:
    """Look up ``"section.key"`` in the process-wide settings."""
    node: Any = settings()
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def project_path(value: str | os.PathLike[str]) -> Path:
    """Resolve a path from the configuration relative to the project root."""
    path = Path(value)
    return path if path.is_absolute() else PROJECT_ROOT / path
