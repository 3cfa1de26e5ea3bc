"""The strings channels say themselves (commands, SMS keywords, widget labels), translated.

They are looked up with :func:`haven.i18n.translate` by key (the ``msgctxt`` in
``bot/locales/haven.pot``). Until a key is in the catalogs, the English source text below is
used, so a channel never shows a bare key. :data:`SOURCE_TEXT` is what the template needs.
"""

from __future__ import annotations

from haven import i18n

SOURCE_TEXT: dict[str, str] = {
    "channels.help": (
        "Ask me a question in your own words, for example “Can I work?” or “Where can I see a "
        "doctor?”. You can also share your location to find services near you.\n"
        "/language: change the language\n/forget: delete your data\n/help: this message"
    ),
    "channels.unsupported_message": ("Sorry, I can only read text messages and shared locations."),
    "channels.too_long": "Your message is too long. Please send a shorter question.",
    "channels.sms.stopped": (
        "You will not receive more messages from Haven. Send START to use it again."
    ),
    "channels.sms.started": "Welcome back to Haven. Send your question.",
    "channels.sms.help": (
        "Haven: information on your rights and local services. Send a question. "
        "MORE: rest of a long answer. STOP: no more messages."
    ),
    "channels.sms.more": "Reply MORE for the rest.",
    "channels.sms.nothing_more": "That was the whole answer. Send a new question.",
    "channels.webchat.title": "Haven",
    "channels.webchat.open": "Open the chat",
    "channels.webchat.close": "Close the chat",
    "channels.webchat.placeholder": "Type your question",
    "channels.webchat.send": "Send",
    "channels.webchat.typing": "Haven is writing…",
    "channels.webchat.offline": "The chat server cannot be reached. Please try again later.",
    "channels.webchat.forget": "Delete my conversation",
    "channels.webchat.slow_down": "You are sending messages very fast. Please wait a moment.",
    "channels.webchat.privacy": (
        "Privacy: your conversation is kept under a random number, not your name. Do not write "
        "your name, address or document numbers. You can delete the conversation at any time."
    ),
}


def text(key: str, language: str | None, **values: object) -> str:
    """The string ``key`` in ``language`` (fallback language, then the English source text)."""
    translated = i18n.translate(key, language, **values)
    if translated == key and key in SOURCE_TEXT:
        return SOURCE_TEXT[key].format(**values) if values else SOURCE_TEXT[key]
    return translated


def pot_entries() -> str:
    """The channels' strings as gettext template entries, to merge into ``haven.pot``."""
    entries = []
    for key, source in SOURCE_TEXT.items():
        escaped = source.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        entries.append(
            f'#. Said by the channels (channels/strings.py)\nmsgctxt "{key}"\n'
            f'msgid "{escaped}"\nmsgstr ""\n'
        )
    return "\n".join(entries)


def supported_languages() -> tuple[str, ...]:
    """The languages users can choose."""
    return i18n.supported_languages()


# Language names in their own language and script, for language choice buttons.
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    "fa": "فارسی / دری",
    "uk": "Українська",
    "ru": "Русский",
    "tr": "Türkçe",
    "ps": "پښتو",
    "ti": "ትግርኛ",
    "so": "Soomaali",
}


if __name__ == "__main__":  # python -m channels.strings >> bot/locales/haven.pot
    print(pot_entries())
