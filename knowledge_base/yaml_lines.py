"""A YAML loader that remembers on which line every mapping, list and key starts.

Content staff get error messages such as ``faq/work.yml, line 14: ...``; for that the loaded
data keeps line numbers. Mappings load as :class:`LineDict` and lists as :class:`LineList`,
which behave exactly like ``dict`` and ``list`` and carry the extra line information.
Pure Python + PyYAML (the C parser is used when it is available).
"""

from __future__ import annotations

from typing import Any

import yaml

try:  # libyaml is much faster; the pure-Python parser gives identical results
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


class LineDict(dict):
    """A ``dict`` loaded from YAML, with the line of the mapping and of each key (1-based)."""

    line: int = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        """The line where ``key`` is written, or the line of the mapping when it is absent."""
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A ``list`` loaded from YAML, with the line of the list and of each item (1-based)."""

    line: int = 0

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        """The line of item ``index``."""
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


class DuplicateKeyError(yaml.YAMLError):
    """The same key appears twice in one mapping (PyYAML would silently keep the last one)."""

    def __init__(self, key: Any, first_line: int, second_line: int) -> None:
        super().__init__(
            f"'{key}' is written twice in the same place (lines {first_line} and "
            f"{second_line}); keep only one"
        )
        self.line = second_line


class _LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in mapping.key_lines:
            raise DuplicateKeyError(key, mapping.key_lines[key], line)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


def _construct_sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> LineList:
    items = LineList(loader.construct_object(child, deep=True) for child in node.value)
    items.line = node.start_mark.line + 1
    items.item_lines = [child.start_mark.line + 1 for child in node.value]
    return items


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    # 2026-13-01 looks like a date but is not one: keep the text so validation can explain it.
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load(text: str) -> Any:
    """Parse YAML text into plain data whose mappings and lists know their line numbers.

    Raises:
        yaml.YAMLError: the text is not valid YAML (``problem_mark`` or ``line`` tells where).
    """
    return yaml.load(text, Loader=_LineLoader)


def error_line(error: yaml.YAMLError) -> int:
    """The 1-based line a YAML error points at, or 0 when it does not say."""
    if isinstance(error, DuplicateKeyError):
        return error.line
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return mark.line + 1 if mark is not None else 0


def error_text(error: yaml.YAMLError) -> str:
    """A short explanation of a YAML error without PyYAML's internal details."""
    if isinstance(error, DuplicateKeyError):
        return str(error)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    hint = "check the indentation, the colons and that quotes are closed"
    return f"{context + ': ' if context else ''}{problem} ({hint})"
