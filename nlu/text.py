"""Text normalisation shared by the matchers: script, case, diacritics, punctuation.

``normalise("Ça va, Lindmärk!")`` → ``"ca va lindmark"``. Arabic-script letter variants are
unified (ي/ی, ك/ک, ة/ه, أ/إ/آ/ا, ى/ی), Arabic diacritics and tatweel removed, ё → е,
apostrophes dropped ("don't" → "dont") and other punctuation turned into spaces.
:func:`normalise_with_offsets` also returns, for every character of the result, the index of
the original character it came from, so matches can be reported on the original text.
"""

from __future__ import annotations

import unicodedata

_LETTER_MAP = {
    "ي": "ی",
    "ى": "ی",
    "ئ": "ی",
    "ك": "ک",
    "ة": "ه",
    "ۀ": "ه",
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ؤ": "و",
    "ё": "е",
    "ı": "i",
    "ـ": "",  # tatweel
    "\u200c": "",  # zero-width non-joiner (often left out when people type Farsi)
    "\u200d": "",
    "'": "",
    "’": "",
    "‘": "",
    "`": "",
    "´": "",
    "ʼ": "",
}
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _fold_char(char: str) -> str:
    """Fold one character: case, compatibility form, diacritics, letter variants."""
    folded = []
    for part in unicodedata.normalize("NFKD", char.casefold()):
        if unicodedata.combining(part):
            continue
        part = _LETTER_MAP.get(part, part)
        if not part:
            continue
        category = unicodedata.category(part)
        if category[0] in "PSZC" and part not in "#":
            part = " "
        folded.append(part)
    return "".join(folded).translate(DIGITS)


def normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normalised text and, per output character, the index of its source character."""
    out: list[str] = []
    offsets: list[int] = []
    previous_space = True
    for index, char in enumerate(text):
        for part in _fold_char(char):
            if part == " ":
                if previous_space:
                    continue
                previous_space = True
            else:
                previous_space = False
            out.append(part)
            offsets.append(index)
    while out and out[-1] == " ":
        out.pop()
        offsets.pop()
    return "".join(out), offsets


def normalise(text: str) -> str:
    """Normalised text (see the module docstring)."""
    return normalise_with_offsets(text)[0]
