#!/usr/bin/env bash
# Installs what the test lanes need when it is missing: PostgreSQL, chromium, wrk, nginx and a CJK font from
# Debian; Playwright, schemathesis, pytest and aiosmtpd (the mail tests' SMTP server) from PyPI.
set -euo pipefail

need_apt=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql postgresql-contrib)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_apt+=(nginx-light)
fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei" || need_apt+=(fonts-wqy-microhei)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing from Debian: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

need_pip=()
python3 -c "import playwright" 2>/dev/null || need_pip+=(playwright)
command -v schemathesis >/dev/null 2>&1 || need_pip+=(schemathesis)
python3 -c "import pytest" 2>/dev/null || need_pip+=(pytest)
python3 -c "import aiosmtpd" 2>/dev/null || need_pip+=(aiosmtpd)
if [ ${#need_pip[@]} -gt 0 ]; then
  echo "installing from PyPI: ${need_pip[*]}"
  python3 -m pip install -q --disable-pip-version-check "${need_pip[@]}"
fi
