#!/usr/bin/env bash
# Debian's chromium for the console's browser test (tests/functional/test_console.py), driven by
# Playwright from requirements-dev.txt (which never downloads a browser of its own). Installed
# when missing and run as root (CI, a fresh machine); otherwise says what to install.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "the console's browser test needs Debian's chromium: sudo apt-get install -y chromium" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends chromium
command -v chromium
