#!/usr/bin/env bash
# npm test's pretest: the canary-analysis tests run Debian's prometheus (2.42; no npm package ships it).
# Installs it when missing and this user may (root, or passwordless sudo); otherwise says what to install.
set -u
if command -v prometheus >/dev/null 2>&1 || [ -x /usr/bin/prometheus ]; then exit 0; fi
install() { DEBIAN_FRONTEND=noninteractive "$@" apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "prometheus missing: installing Debian's prometheus"
  (apt-get update -qq && install env) && exit 0
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && command -v apt-get >/dev/null 2>&1; then
  echo "prometheus missing: installing Debian's prometheus with sudo"
  (sudo -n apt-get update -qq && install sudo -n env) && exit 0
fi
echo "prometheus is missing and could not be installed: run 'sudo apt-get install prometheus' (Debian/Ubuntu) or put a prometheus 2.x binary on PATH; the canary-analysis tests fail without it" >&2
exit 0
