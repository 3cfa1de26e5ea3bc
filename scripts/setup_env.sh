#!/usr/bin/env bash
# Create or update one of the two Python environments from its committed lock.
#   scripts/setup_env.sh rasa      -> .venv/rasa     (Rasa server, channels, NLU components)
#   scripts/setup_env.sh actions   -> .venv/actions  (action server, knowledge base, torch, FAISS)
# A second run with an unchanged lock installs nothing (a stamp holds the lock's hash).
set -euo pipefail
name="${1:?usage: setup_env.sh rasa|actions}"
root="$(cd "$(dirname "$0")/.." && pwd)"
lock="$root/requirements/$name.lock"
venv="$root/.venv/$name"
stamp="$venv/.lock-sha256"
python="${PYTHON:-python3}"

want="$(sha256sum "$lock" | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi

echo "==> Setting up the '$name' environment in .venv/$name (first run takes a few minutes)"
[[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip install --disable-pip-version-check --quiet)
if [[ "$name" == "rasa" ]]; then
  # rasa 3.6 declares Python <3.11 but runs on 3.11 from a complete pinned lock.
  args=(--no-deps --ignore-requires-python -r "$lock")
else
  args=(-r "$lock")
fi
# pip warns once per package about this machine's empty local index folders: hide that noise.
"${pip[@]}" "${args[@]}" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
# The project's own packages are found through PYTHONPATH set by the Makefile.
echo "$want" > "$stamp"
echo "==> '$name' environment ready"
