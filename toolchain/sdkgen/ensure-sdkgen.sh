#!/usr/bin/env bash
# ensure-sdkgen.sh - make sure the SDK generator pulumi-intune-sdkgen (this folder,
# the Pulumi codegen packages called directly, no language plugins) exists and
# print its path (stdout, last line). Progress and errors go to stderr.
#
# Order:
#   0. $PULUMI_SDKGEN set     -> use that executable, nothing else is tried.
#   1. A cached build whose stamp matches go.mod, go.sum and *.go -> use it.
#   2. Build it with `go build` from this module (the same pkg/v3 + sdk/v3 pins
#      as the Pulumi CLI of ensure-pulumi.sh) into the cache.
#   3. No usable Go toolchain -> explain what is needed, exit 1.
#
# Usage of the printed binary:
#   pulumi-intune-sdkgen -schema schema.json -language nodejs|python|go -out DIR [-version X.Y.Z]
set -euo pipefail

# ---- pins (keep in step with go.mod) ----
PULUMI_VERSION=3.276.0   # github.com/pulumi/pulumi/pkg/v3 (codegen) + sdk/v3
BUILD_RECIPE=1           # bump when the build command below changes

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LOG_NAME=ensure-sdkgen CACHE_NAME=pulumi-sdkgen VERSION=$PULUMI_VERSION
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"

EXE=pulumi-intune-sdkgen

install_hint() {
  cat >&2 <<HINT
[ensure-sdkgen] $EXE is not built and cannot be built here.
  Install Go >= $1 (https://go.dev/doc/install) and run this script again (the
  first build shares the Go build cache with the Pulumi CLI build of
  ensure-pulumi.sh; alone it takes a few minutes), or point PULUMI_SDKGEN at a
  $EXE built from $HERE with pulumi pkg/v3 v$PULUMI_VERSION.
HINT
}

# ---- 0. explicit override ----
if [ -n "${PULUMI_SDKGEN:-}" ]; then
  [ -x "$PULUMI_SDKGEN" ] || die "PULUMI_SDKGEN=$PULUMI_SDKGEN is not an executable file"
  log "using PULUMI_SDKGEN=$PULUMI_SDKGEN"
  printf '%s\n' "$PULUMI_SDKGEN"
  exit 0
fi

# ---- 1. cached build ----
# The tool's own sources are inputs too (sorted, so the hash is stable).
mapfile -t SOURCES < <(LC_ALL=C ls "$HERE"/*.go)
[ "${#SOURCES[@]}" -gt 0 ] || die "no Go sources in $HERE"
STAMP="pulumi-sdkgen=v$PULUMI_VERSION inputs=$(
  inputs_hash "recipe=$BUILD_RECIPE pulumi=$PULUMI_VERSION" "$HERE/go.mod" "$HERE/go.sum" "${SOURCES[@]}"
)"
exit_if_cached "$CACHE_DIR/bin/$EXE" "$EXE"

# ---- 2./3. build from source ----
find_go
lock_build "$EXE (pulumi $PULUMI_VERSION)"
exit_if_cached "$CACHE_DIR/bin/$EXE" "$EXE"
start_build

t0=$SECONDS
log "building $EXE (pulumi codegen v$PULUMI_VERSION) with $GO (go $go_have) into $CACHE_DIR ..."
if ! (cd "$HERE" && "$GO" build -trimpath -ldflags "-s -w" -o "$TMP/bin/$EXE" .) >"$TMP/build.log" 2>&1; then
  build_failed "$TMP/build.log" last-failed-build.log "go build of $EXE failed"
fi
rm -f "$TMP/build.log"
install_build
log "built $EXE in $((SECONDS - t0))s -> $CACHE_DIR/bin/$EXE"
printf '%s\n' "$CACHE_DIR/bin/$EXE"
