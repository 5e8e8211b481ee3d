#!/usr/bin/env bash
# Installs what the tests need outside Python: Debian's chromium (browser tests),
# fonts-noto-cjk (Chinese in screenshots, raster exports and PDFs), libcairo2 (PNG export of
# the chain diagram, through cairosvg), Pango (PDF briefings, through WeasyPrint), poppler-utils (pdftoppm and
# pdftotext, with which the tests read the briefing back), apache2-utils (ab, the API benchmark's load
# generator), and a running PostgreSQL.
# Idempotent: does nothing when everything is present. Needs root (or sudo) to install.
set -euo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
ldconfig -p | grep -q "libcairo.so.2" || missing+=(libcairo2)
ldconfig -p | grep -q "libpangoft2-1.0.so.0" || missing+=(libpangoft2-1.0-0)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v ab >/dev/null || missing+=(apache2-utils)
command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    # another process may hold the dpkg lock for a while (unattended upgrades): wait for it
    $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}" >/dev/null
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    version=$(ls /etc/postgresql | sort -n | tail -1)
    hba=/etc/postgresql/$version/main/pg_hba.conf
    # Tests connect as postgres over TCP without a password (a throw-away local server).
    grep -q "chainmap-tests" "$hba" || \
        $SUDO sed -i '1i host all all 127.0.0.1/32 trust # chainmap-tests' "$hba"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || $SUDO pg_ctlcluster "$version" main restart
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432
