#!/usr/bin/env bash
# CI helper: Debian's Chromium for the headless-browser test of the results view (test/apps/view.browser.test.ts).
# Installs it only when /usr/bin/chromium is missing; playwright-core drives it and never downloads a browser.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq chromium >/dev/null
fi
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null)"
