#!/usr/bin/env bash
# Puts a working Pulumi engine (CLI, Node.js language host, dynamic-provider plugin, provider plugins) in
# a cache outside the repo, for the e2e tests, the sandbox, the bench and CI. Idempotent: a warm cache
# costs well under a second. Offline machines reach only the Go module proxy, so the engine is built
# from Pulumi's Go modules when neither PATH nor Pulumi's installer can provide it.
#
# Cache: ${SLIPWAY_CACHE:-~/.cache/slipway}/pulumi-<@pulumi/pulumi version>/ with bin/, home/ (PULUMI_HOME),
# logs/ and engine.json (what scripts/engine.ts reads). SLIPWAY_ENGINE_RETRY=1 retries recorded failures.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=engine-build/lib.sh
source "$ROOT/scripts/engine-build/lib.sh"
# shellcheck source=engine-build/cli.sh
source "$ROOT/scripts/engine-build/cli.sh"
# shellcheck source=engine-build/plugins.sh
source "$ROOT/scripts/engine-build/plugins.sh"

[[ -f "$ROOT/node_modules/@pulumi/pulumi/package.json" ]] || { log "run npm install (or npm ci) first"; exit 1; }
# Read the version with bash, not node: this line runs on every `npm test`.
SDK_VERSION="$(grep -m1 -oE '"version": *"[^"]+"' "$ROOT/node_modules/@pulumi/pulumi/package.json" | sed -E 's/.*"([^"]+)"$/\1/')"
CACHE="${SLIPWAY_CACHE:-$HOME/.cache/slipway}/pulumi-$SDK_VERSION"
BIN="$CACHE/bin"; PULUMI_HOME="$CACHE/home"; STAMPS="$CACHE/stamps"; LOGS="$CACHE/logs"; WORK="$CACHE/src"
mkdir -p "$BIN" "$PULUMI_HOME" "$STAMPS" "$LOGS" "$WORK"

# Never let go fetch another toolchain or consult VCS: only the module proxy is reachable.
export GOTOOLCHAIN=local CGO_ENABLED=0

# Fast path: everything recorded as done for this exact set of inputs.
inputs_key() {
  {
    cat "$ROOT"/scripts/bootstrap-engine.sh "$ROOT"/scripts/engine-build/*.sh "$ROOT"/scripts/engine-build/langhost/*.go
    # One node start for all versions: node's start-up dominates a warm run on a busy machine.
    node -e 'for (const p of ["@pulumi/pulumi","@pulumi/random","@pulumi/github","@pulumi/command","@pulumi/docker-build"]) {
      const j = require(process.argv[1] + "/node_modules/" + p + "/package.json");
      console.log(p, j.version, (j.pulumi && j.pulumi.version) || "");
    }' "$ROOT"
    printf 'skip-docker-build=%s\n' "${SLIPWAY_ENGINE_SKIP_DOCKER_BUILD:-}"
  } | sha256sum | cut -c1-16
}
KEY="$(inputs_key)"
if stamp_ok all "$KEY" && [[ -f "$CACHE/engine.json" ]]; then
  [[ "${1:-}" == "--print-cache" ]] && printf '%s\n' "$CACHE"
  exit 0
fi

# Several engineers (and vitest workers) may call this at once; one builds, the others wait for it.
exec 9>"$CACHE/.lock"
if ! flock -n 9; then
  # A usable engine exists and the other run is only adding to it (e.g. a slow plugin build):
  # use what is there instead of blocking everyone's `npm test` on it.
  if [[ -f "$CACHE/engine.json" ]]; then
    log "another bootstrap is updating $CACHE; using the engine already there"
    exit 0
  fi
  log "another bootstrap is building the engine in $CACHE; waiting (up to 90 minutes)"
  flock -w 5400 9 || { log "gave up waiting for the lock on $CACHE/.lock"; exit 1; }
  if stamp_ok all "$KEY" && [[ -f "$CACHE/engine.json" ]]; then exit 0; fi
fi

START=$(date +%s)
log "engine cache: $CACHE"
ensure_cli
ensure_langhost
ensure_dynamic_provider
ensure_plugins
ensure_actionlint

# engine.json: the facts scripts/engine.ts and the report need, written by node so it is valid JSON.
PLUGINS_TXT="$(printf '%s\n' "${PLUGIN_STATUS[@]}")" SECONDS_TOTAL="$(( $(date +%s) - START ))" \
CLI_VERSION="$CLI_VERSION" CLI_SOURCE="$CLI_SOURCE" SDK_VERSION="$SDK_VERSION" \
CACHE="$CACHE" BIN="$BIN" PULUMI_HOME="$PULUMI_HOME" LOGS="$LOGS" node -e '
  const fs = require("fs");
  const e = process.env;
  const plugins = e.PLUGINS_TXT.split("\n").filter(Boolean).map((l) => {
    const [name, version, status, detail] = l.split("|");
    return { name, version, status, detail };
  });
  const seconds = (n) => { try { return Number(fs.readFileSync(`${e.LOGS}/${n}.seconds`, "utf8")); } catch { return null; } };
  const manifest = {
    sdkVersion: e.SDK_VERSION, cliVersion: e.CLI_VERSION, cliSource: e.CLI_SOURCE,
    cache: e.CACHE, binDir: e.BIN, pulumiHome: e.PULUMI_HOME,
    plugins,
    actionlint: fs.existsSync(`${e.BIN}/actionlint`) ? `${e.BIN}/actionlint` : null,
    buildSeconds: { cli: seconds("cli"), langhost: seconds("langhost"), dockerBuild: seconds("docker-build"),
      actionlint: seconds("actionlint"), lastRun: Number(e.SECONDS_TOTAL) },
    writtenAt: new Date().toISOString(),
  };
  fs.writeFileSync(`${e.CACHE}/engine.json`, JSON.stringify(manifest, null, 2) + "\n");
'
stamp_set all "$KEY"
log "engine ready: pulumi v$CLI_VERSION ($CLI_SOURCE) for @pulumi/pulumi v$SDK_VERSION in $(( $(date +%s) - START ))s; $(du -sh "$CACHE" | cut -f1) in $CACHE"
for line in "${PLUGIN_STATUS[@]}"; do log "  plugin ${line//|/ }"; done
[[ "${1:-}" == "--print-cache" ]] && printf '%s\n' "$CACHE"
exit 0
