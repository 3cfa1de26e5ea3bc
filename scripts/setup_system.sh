#!/usr/bin/env bash
# Install the Debian packages the test suite needs, once: headless Chromium for the widget
# and console browser tests. A second run finds them and installs nothing.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
if [[ "$(id -u)" != 0 ]]; then
  echo "Chromium is missing: run 'sudo apt-get install -y chromium chromium-driver'" >&2
  exit 1
fi
echo "==> Installing Debian's chromium and chromium-driver (browser tests)"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
