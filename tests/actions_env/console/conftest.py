"""Fixtures for the console tests: private content and index copies, the real embedder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.actions_env.console.helpers import CONTENT


@pytest.fixture()
def content_copy(tmp_path: Path) -> Path:
    """A private, editable copy of the real content."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


@pytest.fixture(scope="session")
def encode():
    """The knowledge base's own (offline) embedder."""
    from knowledge_base.embedding import make_embedder

    return make_embedder().encode
