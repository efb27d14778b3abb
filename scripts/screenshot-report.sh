#!/usr/bin/env bash
# Makes docs/report.png: the report of a real run (configs/demo.yaml, the built-in CPU demo
# backend: real merges, images and scores) rendered by Debian's chromium in headless mode.
# Needs chromium (apt-get update && apt-get install -y chromium); builds dist/ first.
# Usage: scripts/screenshot-report.sh [output.png]
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(realpath -m "${1:-$root/docs/report.png}")"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "chromium not found: apt-get update && apt-get install -y chromium" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$root" && npm run --silent build)
node "$root/bin/autombw.js" run "$root/configs/demo.yaml" --output-dir "$work/runs" --progress none
report="$(find "$work/runs" -mindepth 2 -maxdepth 2 -name report.html)"

# A fresh profile, and nothing that talks to the network: the report must render from disk alone.
mkdir "$work/profile"
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --hide-scrollbars \
  --window-size=1100,2300 --screenshot="$out" "file://$report" 2>/dev/null
echo "$out"
