"""The messages simulated users send (the same to both bots)."""

# "kb" messages are questions Haven answers from its knowledge base.
MESSAGES: list[tuple[str, str]] = [
    ("kb", "Can I work here?"),
    ("kb", "هل يحق لي أن أعمل؟"),
    ("kb", "Ai-je le droit de travailler ?"),
    ("kb", "Чи можу я тут працювати?"),
    ("kb", "¿Puedo trabajar aquí?"),
    ("kb", "Where can I see a doctor?"),
    ("kb", "How do I get a residence permit?"),
    ("kb", "Burada çalışabilir miyim?"),
    ("chat", "hello"),
    ("chat", "thank you"),
]
