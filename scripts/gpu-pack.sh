#!/usr/bin/env bash
# Pack what the GPU checks need into .gpu/ (git-ignored), small enough to ship with a checkout:
#   .gpu/node.xz            this machine's node binary, stripped and xz -9 compressed (~22 MB)
#   .gpu/run.mjs            packages/backend-native/test-gpu/run.ts bundled with tfjs into one ESM file
#   .gpu/core-suite.mjs     tfjs-core's own test suite on the native backend (test-core/suite.ts, jasmine-core inside)
#   .gpu/softcot_cuda.node  the cuda addon, and .gpu/softcot_cpu.node, the cpu addon: the reference device
#                           (both built by scripts/build-native.sh if missing)
#   .gpu/unpack-and-run.sh  run this on the GPU machine (no node, no network needed there)
#   .gpu/MANIFEST           sizes and sha256
#
# Usage: scripts/gpu-pack.sh [--bundle-only] [--rebuild]
#   --bundle-only  only (re)write the bundles and copy the addons (what scripts/test-gpu.mjs needs locally)
#   --rebuild      rebuild the addons even if they exist
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/.gpu"
PKG="$ROOT/packages/backend-native"
BUILD="$PKG/build"
BUNDLE_ONLY=0
REBUILD=0
for a in "$@"; do
  case "$a" in
    --bundle-only) BUNDLE_ONLY=1 ;;
    --rebuild) REBUILD=1 ;;
    *) echo "gpu-pack: unknown argument $a" >&2; exit 2 ;;
  esac
done
mkdir -p "$OUT"

for device in cuda cpu; do
  if [[ ! -f "$BUILD/softcot_$device.node" || "$REBUILD" == 1 ]]; then bash "$ROOT/scripts/build-native.sh" "$device"; fi
  cp -f "$BUILD/softcot_$device.node" "$OUT/softcot_$device.node"
done

# One ESM file each. tfjs has a few CommonJS requires (util, ...): the banner gives the bundle a real `require`.
# The core suite resolves tfjs-core's ES modules (main field "module": one copy of the engine) and keeps its test
# files, which tfjs-core marks side-effect free.
ESBUILD="$ROOT/node_modules/.bin/esbuild"
[[ -x "$ESBUILD" ]] || { echo "gpu-pack: esbuild not found at $ESBUILD (npm install first)" >&2; exit 1; }
BANNER="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
"$ESBUILD" "$PKG/test-gpu/run.ts" --bundle --platform=node --format=esm --target=node20 \
  --outfile="$OUT/run.mjs" --log-level=warning --legal-comments=none --tsconfig="$ROOT/tsconfig.json" --banner:js="$BANNER"
NODE_PATH="$PKG/node_modules" "$ESBUILD" "$PKG/test-core/suite.ts" --bundle --platform=node --format=esm --target=node20 \
  --main-fields=module,main --ignore-annotations --outfile="$OUT/core-suite.mjs" --log-level=error --legal-comments=none \
  --tsconfig="$ROOT/tsconfig.json" --banner:js="$BANNER"

if [[ "$BUNDLE_ONLY" == 0 ]]; then
  NODE_BIN="$(readlink -f "$(command -v node)")"
  if [[ ! -f "$OUT/node.xz" || "$NODE_BIN" -nt "$OUT/node.xz" ]]; then
    echo "gpu-pack: compressing $NODE_BIN ($(node --version)); xz -9 takes about a minute"
    strip -o "$OUT/node.tmp" "$NODE_BIN"
    xz -9 -T2 -c "$OUT/node.tmp" > "$OUT/node.xz.tmp"
    mv "$OUT/node.xz.tmp" "$OUT/node.xz"
    rm -f "$OUT/node.tmp"
  fi
  cp -f "$PKG/test-gpu/unpack-and-run.sh" "$OUT/unpack-and-run.sh"
  chmod +x "$OUT/unpack-and-run.sh"
fi

( cd "$OUT" && for f in node.xz run.mjs core-suite.mjs softcot_cuda.node softcot_cpu.node unpack-and-run.sh; do
    [[ -f "$f" ]] && printf '%-20s %10d  %s\n' "$f" "$(stat -c %s "$f")" "$(sha256sum "$f" | cut -c1-16)"
  done ) > "$OUT/MANIFEST"
echo "gpu-pack: $OUT"
cat "$OUT/MANIFEST"
du -sh "$OUT" | awk '{print "gpu-pack: total " $1}'
