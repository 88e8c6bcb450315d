#!/usr/bin/env bash
# Debian packages the portal needs besides Python: Pango and fonts for PDFs (WeasyPrint),
# and, with --browser, Chromium for the browser tests. Installs what is missing when run
# as root with apt; otherwise says what to install and carries on.
set -u
packages=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-noto-cjk)
[ "${1:-}" = "--browser" ] && packages+=(chromium)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "WARNING: please install these system packages: ${missing[*]}" >&2
fi
exit 0
