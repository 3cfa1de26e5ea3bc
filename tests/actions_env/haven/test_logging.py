import logging

import pytest

from haven.logging import RedactingFilter, install, redact


@pytest.mark.parametrize(
    "line",
    [
        "sender +49 151 1234 5678 wrote",
        "from whatsapp:+4915112345678",
        "call 0151-123-45678 now",
        "mail jane.doe@example.org",
    ],
)
def test_redact_masks_phone_numbers_and_emails(line):
    redacted = redact(line)
    assert "<phone>" in redacted or "<email>" in redacted
    assert "1234" not in redacted and "45678" not in redacted and "jane.doe" not in redacted


def test_redact_keeps_ordinary_numbers_and_ids():
    assert redact("took 135 ms, status 200") == "took 135 ms, status 200"
    assert redact("sender telegram-3f9a0c") == "sender telegram-3f9a0c"


def test_filter_redacts_formatted_records(caplog):
    logger = logging.getLogger("haven.test")
    caplog.handler.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="haven.test"):
        logger.info("message from %s", "+44 7700 900123")
    assert "900123" not in caplog.text and "<phone>" in caplog.text


def test_install_quiets_text_logging_libraries():
    logging.getLogger("rasa.core.processor").setLevel(logging.DEBUG)
    install()
    assert logging.getLogger("rasa.core.processor").getEffectiveLevel() >= logging.INFO
    assert any(
        isinstance(f, RedactingFilter) for h in logging.getLogger().handlers for f in h.filters
    )
