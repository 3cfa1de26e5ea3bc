#!/usr/bin/env bash
# Install the Debian packages the test suite needs, once: headless Chromium for the widget
# and console browser tests, and Noto fonts so Arabic, Persian, Pashto and Tigrinya render in
# screenshots. A second run finds them and installs nothing.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null \
   && [[ -d /usr/share/fonts/truetype/noto ]]; then
  exit 0
fi
if [[ "$(id -u)" != 0 ]]; then
  echo "Run 'sudo apt-get install -y chromium chromium-driver fonts-noto-core'" >&2
  exit 1
fi
echo "==> Installing Debian's chromium, chromium-driver and fonts-noto-core (browser tests)"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-core \
  >/dev/null
