# lib.sh - what the toolchain/*/ensure-*.sh scripts share: logging, finding Go,
# the cache slot and its stamp, the build lock, the build directory and moving a
# finished build into place. Sourced, not run; progress and errors go to stderr.
#
# The sourcing script sets, before sourcing:
#   LOG_NAME    prefix of its stderr lines: [LOG_NAME] ...
#   HERE        its directory (holds the go.mod whose `go` line is the Go it needs)
#   CACHE_NAME  its folder in the cache
#   VERSION     the pinned version it builds (its cache slot)
# and defines install_hint GO_VERSION (how to get the tool without a build).
# A change here to how Go builds (start_build) needs BUILD_RECIPE bumped in each script.

CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-intune-domain-join/$CACHE_NAME"
CACHE_DIR="$CACHE_ROOT/$VERSION"

log() { printf '[%s] %s\n' "$LOG_NAME" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# version_ge A B: true when version A >= version B (both like 3.276.0, no "v").
version_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]; }

# inputs_hash LINE FILE...: the hash of a line naming the pins, then the files,
# for the stamp that ties a build to them.
inputs_hash() {
  { printf '%s\n' "$1"; shift; cat "$@"; } | sha256sum | cut -d' ' -f1
}

# cache_ok EXE...: the cache slot holds these executables in bin/, built from
# the inputs of $STAMP.
cache_ok() {
  local exe
  for exe in "$@"; do [ -x "$CACHE_DIR/bin/$exe" ] || return 1; done
  [ -f "$CACHE_DIR/stamp" ] && [ "$(cat "$CACHE_DIR/stamp")" = "$STAMP" ]
}

# exit_if_cached PRINTED EXE...: when cache_ok EXE..., say so, print PRINTED
# and exit 0.
exit_if_cached() {
  local printed=$1; shift
  if cache_ok "$@"; then
    log "using cached build $printed"
    printf '%s\n' "$printed"
    exit 0
  fi
}

# find_go: sets GO (the go command), GO_REQ (the go.mod's `go` line) and go_have
# (its version); without a Go that recent, install_hint and exit 1.
find_go() {
  GO_REQ=$(awk '$1 == "go" { print $2; exit }' "$HERE/go.mod")
  GO=$(command -v go 2>/dev/null || true)
  if [ -z "$GO" ] && [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go; fi
  if [ -z "$GO" ]; then
    install_hint "$GO_REQ"; exit 1
  fi
  go_have=$(GOTOOLCHAIN=local "$GO" env GOVERSION 2>/dev/null || true); go_have=${go_have#go}
  if [ -z "$go_have" ] || ! version_ge "$go_have" "$GO_REQ"; then
    log "found $GO (go ${go_have:-unknown}), but go.mod needs go >= $GO_REQ"
    install_hint "$GO_REQ"; exit 1
  fi
}

# lock_build WHAT: one build of this version at a time; a second caller waits
# (saying "another build of WHAT is running"), then finds the cache filled.
lock_build() {
  mkdir -p "$CACHE_ROOT"
  exec 9>"$CACHE_ROOT/$VERSION.lock"
  if command -v flock >/dev/null 2>&1; then
    flock -n 9 || { log "another build of $1 is running; waiting for it..."; flock 9; }
  fi
}

# start_build: a fresh build directory $TMP (bin/ inside), removed on exit with
# the go build of $BUILD_PID if one is running; Go set to build only from the
# pinned modules.
start_build() {
  TMP=$(mktemp -d "$CACHE_ROOT/.build-$VERSION.XXXXXX")
  BUILD_PID=
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  mkdir -p "$TMP/bin"
  chmod 755 "$TMP"
  # Modules come only from go.sum-verified downloads (-mod=readonly: never
  # rewrite go.mod/go.sum); no go.work; never switch toolchains behind our back.
  export GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0
  export GOFLAGS="${GOFLAGS:-} -mod=readonly -buildvcs=false"
}

cleanup() {
  if [ -n "$BUILD_PID" ]; then kill "$BUILD_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}

# build_failed LOG KEPT MESSAGE: show the end of a failed build's log, keep it
# as $CACHE_ROOT/KEPT, and die with MESSAGE.
build_failed() {
  tail -n 40 "$1" >&2
  cp "$1" "$CACHE_ROOT/$2" 2>/dev/null || true
  die "$3; log kept in $CACHE_ROOT/$2"
}

# install_build: stamp the finished build and move it into the cache slot
# atomically (renamed over the old one).
install_build() {
  printf '%s\n' "$STAMP" >"$TMP/stamp"
  if [ -e "$CACHE_DIR" ]; then
    local old="$CACHE_ROOT/.old-$VERSION.$$"
    mv "$CACHE_DIR" "$old"
    mv "$TMP" "$CACHE_DIR"
    rm -rf "$old"
  else
    mv "$TMP" "$CACHE_DIR"
  fi
}
