"""Group the inbox questions by language and meaning so staff see what people keep asking.

Questions are embedded with the knowledge base's own embedder (:mod:`knowledge_base.embedding`)
and grouped greedily per language: a question joins the first group whose first question is at
cosine similarity ``threshold`` (0.8) or more, otherwise it starts a new group.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from haven.inbox import InboxQuestion

Encode = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class QuestionGroup:
    """Similar questions in one language."""

    language: str
    questions: tuple[InboxQuestion, ...]

    @property
    def count(self) -> int:
        """How many questions the group holds."""
        return len(self.questions)

    @property
    def key(self) -> str:
        """A short stable id of the group (from its question ids)."""
        ids = ",".join(str(q.id) for q in sorted(self.questions, key=lambda q: q.id))
        return hashlib.sha256(ids.encode()).hexdigest()[:12]

    @property
    def texts(self) -> list[str]:
        """Distinct texts, most frequent first."""
        return [text for text, _ in Counter(q.text for q in self.questions).most_common()]

    @property
    def reasons(self) -> dict[str, int]:
        """How many were declined and how many marked not helpful."""
        return dict(Counter(q.reason for q in self.questions))

    @property
    def entries(self) -> list[str]:
        """FAQ entries whose answers were marked not helpful for these questions."""
        return sorted({q.entry_id for q in self.questions if q.entry_id})

    @property
    def last_seen(self) -> str:
        """The date of the newest question."""
        return max(q.created_on for q in self.questions).isoformat()


def group_questions(
    questions: Sequence[InboxQuestion], encode: Encode, threshold: float = 0.8
) -> list[QuestionGroup]:
    """Groups of similar questions per language, biggest first."""
    groups: list[QuestionGroup] = []
    by_language: dict[str, list[InboxQuestion]] = {}
    for question in questions:
        by_language.setdefault(question.language, []).append(question)
    for language, items in by_language.items():
        texts = sorted({q.text for q in items})
        vectors = np.asarray(encode(texts), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.maximum(norms, 1e-12)
        leaders: list[int] = []
        members: list[list[str]] = []
        for row in range(len(texts)):
            if leaders:
                similarity = vectors[leaders] @ vectors[row]
                best = int(np.argmax(similarity))
                if similarity[best] >= threshold:
                    members[best].append(texts[row])
                    continue
            leaders.append(row)
            members.append([texts[row]])
        for texts_of_group in members:
            wanted = set(texts_of_group)
            groups.append(QuestionGroup(language, tuple(q for q in items if q.text in wanted)))
    return sorted(groups, key=lambda g: (-g.count, g.language, g.texts[0]))
