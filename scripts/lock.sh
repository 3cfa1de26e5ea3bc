#!/usr/bin/env bash
# Regenerate the two pinned lock files. Needs network access to PyPI and `uv`.
#
# The Rasa server lock is resolved for Python 3.10 (rasa 3.6 declares <3.11) and
# installed on 3.11 with `pip install --no-deps --ignore-requires-python`.
# matplotlib is overridden to 3.6.3 because 3.5.3 has no wheel for 3.11.
set -euo pipefail
cd "$(dirname "$0")/../requirements"
uv pip compile --python-version 3.10 rasa.in --override rasa-overrides.txt -o rasa.lock
uv pip compile --python-version 3.11 --find-links /opt/wheels actions.in -o actions.lock
