#!/usr/bin/env bash
# System packages the tests and the synthetic corpus need (Debian bookworm):
# espeak-ng and sox for test speech, RHVoice English voices for the synthetic emotional corpus.
# RHVoice lives in Debian's contrib and non-free components, so those are enabled first.
set -euo pipefail
need=()
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v sox >/dev/null || need+=(sox)
command -v RHVoice-test >/dev/null || need+=(rhvoice rhvoice-english)
command -v chromium >/dev/null || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
src=/etc/apt/sources.list.d/debian.sources
if [ -f "$src" ] && ! grep -q "non-free" "$src"; then
  sed -i 's/^Components: main$/Components: main contrib non-free/' "$src"
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
