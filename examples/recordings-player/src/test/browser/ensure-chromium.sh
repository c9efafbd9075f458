#!/usr/bin/env bash
# Run by the build (exec-maven-plugin, phase process-test-classes) before PlayerBrowserTest: makes sure headless
# Chromium and ChromeDriver are there, installing Debian's chromium and chromium-driver when they are missing, so that
# the README's test command passes on a bare Debian machine. The browser test needs them and fails (never skips) without
# them; installing here instead of failing is what makes "mvn -B verify" the whole set-up.
#
# Arguments: the browser's and the driver's paths (-Dchrome.binary, -Dwebdriver.chrome.driver). Paths other than
# Debian's are the user's own installation and are only checked, never installed. Skipped with -DskipTests.
set -euo pipefail
browser=${1:-/usr/bin/chromium}
driver=${2:-/usr/bin/chromedriver}

if [ -x "$browser" ] && [ -x "$driver" ]; then
  exit 0
fi
if [ "$browser" != /usr/bin/chromium ] || [ "$driver" != /usr/bin/chromedriver ]; then
  echo "ensure-chromium: $browser or $driver is missing; they were named with -Dchrome.binary / -Dwebdriver.chrome.driver, so they are not installed from Debian's packages" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: /usr/bin/chromium or /usr/bin/chromedriver is missing and this is not a Debian/Ubuntu system (no apt-get): install Chromium and ChromeDriver and name them with -Dchrome.binary=... -Dwebdriver.chrome.driver=..., or skip the browser test with -Dtest='!PlayerBrowserTest' -Dsurefire.failIfNoSpecifiedTests=false" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "ensure-chromium: the browser test needs Debian's chromium and chromium-driver; installing them needs root: run once 'sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium chromium-driver'" >&2
  exit 1
fi

echo "ensure-chromium: installing Debian's chromium and chromium-driver for the browser test (once per machine)" >&2
# The lock timeout waits for another apt or unattended-upgrades instead of failing the build at once.
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends chromium chromium-driver >/dev/null
if [ ! -x "$browser" ] || [ ! -x "$driver" ]; then
  echo "ensure-chromium: apt-get installed chromium and chromium-driver but $browser or $driver is still missing" >&2
  exit 1
fi
"$browser" --version >&2 || true
