"""Logging that never writes message text or phone numbers in clear.

:func:`redact` masks anything that looks like a phone number or an e-mail address.
:class:`RedactingFilter` applies it to every record; :func:`install` puts it on the root
logger's handlers and silences the library loggers that log user messages at debug level.
"""

from __future__ import annotations

import logging
import re

_PHONE = re.compile(r"(?<![\w-])\+?\d[\d\s().-]{6,}\d(?![\w-])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")

# Loggers that write the user's message text when set to DEBUG.
TEXT_LOGGERS = (
    "rasa.core.processor",
    "rasa.core.actions.action",
    "rasa.core.channels",
    "rasa.nlu",
    "rasa_sdk.executor",
)


def redact(text: str) -> str:
    """Mask phone numbers and e-mail addresses in a log line."""
    return _EMAIL.sub("<email>", _PHONE.sub("<phone>", text))


class RedactingFilter(logging.Filter):
    """A logging filter that redacts the formatted message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drop it."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not break logging
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def install(level: int = logging.INFO) -> None:
    """Add the redacting filter to every root handler and keep text-logging loggers quiet."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level)
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
    for name in TEXT_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)
