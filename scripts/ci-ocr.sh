#!/usr/bin/env bash
# CI helper: Debian's tesseract-ocr and poppler-utils for the tests that read the sandbox's exports back
# (test/sandbox/exports-readable.test.ts: OCR of the PNGs, pdftotext of the PDFs). Installs them only when missing.
set -euo pipefail
if ! command -v tesseract >/dev/null || ! command -v pdftotext >/dev/null; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq tesseract-ocr poppler-utils >/dev/null
fi
echo "tesseract: $(tesseract --version 2>&1 | head -1); pdftotext: $(pdftotext -v 2>&1 | head -1)"
