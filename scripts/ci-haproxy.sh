#!/usr/bin/env bash
# CI helper: Debian's HAProxy for the replicas-behind-a-balancer test (test/integration/replicas.test.ts).
# Installs it only when haproxy is missing; the test runs it as a child process with deploy/haproxy/haproxy.cfg.
set -euo pipefail
if ! command -v haproxy >/dev/null; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq haproxy >/dev/null
fi
echo "haproxy: $(haproxy -v 2>/dev/null | head -1)"
