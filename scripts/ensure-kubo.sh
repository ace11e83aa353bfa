#!/bin/sh
# Makes a pinned Kubo release available for the Kubo test suites, built from the Go module proxy
# into a cache outside the repository (reused when present). Prints the binary's path on stdout.
# Without Go and without a cached or PINMESH_KUBO_BIN binary it says so loudly; under CI that fails.
set -e
KUBO_VERSION="${PINMESH_KUBO_VERSION:-v0.41.0}"
CACHE="${PINMESH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pinmesh}/kubo/$KUBO_VERSION"
BIN="$CACHE/ipfs"
if [ -n "$PINMESH_KUBO_BIN" ] && [ -x "$PINMESH_KUBO_BIN" ]; then
  echo "$PINMESH_KUBO_BIN"; exit 0
fi
if [ -x "$BIN" ]; then
  echo "$BIN"; exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "################################################################" >&2
  echo "## pinmesh: Go is not installed and no Kubo binary is cached:   ##" >&2
  echo "## the Kubo test suites will NOT run.                           ##" >&2
  echo "################################################################" >&2
  [ "$CI" = "true" ] && exit 1
  exit 0
fi
echo "pinmesh: building Kubo $KUBO_VERSION from the Go module proxy into $CACHE (one time, a few minutes)..." >&2
mkdir -p "$CACHE"
work=$(mktemp -d)
# `go install pkg@version` needs the proxy's version list for its deprecation check, which the
# proxy may refuse; a throw-away module with `go get` + `go build` only needs the pinned version.
( cd "$work" && go mod init kubobuild >/dev/null 2>&1 && go get "github.com/ipfs/kubo/cmd/ipfs@$KUBO_VERSION" >&2 && go build -o "$BIN.tmp" github.com/ipfs/kubo/cmd/ipfs >&2 )
rm -rf "$work"
mv "$BIN.tmp" "$BIN"
echo "$BIN"
