#!/usr/bin/env bash
# The vendor's Python SDKs, in .venv-sdk at the repository's root, for the tests that
# drive `appsnap serve` with them (Tests/EndToEndTests/SDK). Does nothing when present.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-sdk
sdks=(alibabacloud-ecs20140526 aliyun-python-sdk-core aliyun-python-sdk-ecs)
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import alibabacloud_ecs20140526, aliyunsdkcore, aliyunsdkecs' 2>/dev/null; then
  exit 0
fi
if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "the SDK tests need python3-venv: sudo apt-get install -y python3-venv" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi
rm -rf "$venv"
python3 -m venv "$venv"
echo "installing into $venv: ${sdks[*]}"
"$venv/bin/pip" install -q --disable-pip-version-check "${sdks[@]}"
