#!/bin/sh
# Installs what is missing and builds: the one setup step behind `npm start`, `npm test` and `npm run bench`.
# - npm dependencies (including Node 24 from the npm registry's `node` package, used by every npm script)
# - the TypeScript build of every workspace (turbo, cached)
set -e
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/node ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "pinmesh: installing dependencies (npm install)..." >&2
  # Not `npm ci`: the registry mirror serves only the platform packages of this machine's kind
  # (e.g. @biomejs/cli-linux-x64, not -win32-x64), so the lockfile cannot list the others and
  # `npm ci` refuses it as out of sync. `npm install` keeps the locked versions.
  npm install --no-audit --no-fund --loglevel=error
fi
PATH="$PWD/node_modules/.bin:$PATH"
export PATH
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 24 ]; then
  echo "pinmesh: needs Node >= 24 but found $(node --version); the 'node' devDependency did not install" >&2
  exit 1
fi
turbo run build --output-logs=errors-only >&2
