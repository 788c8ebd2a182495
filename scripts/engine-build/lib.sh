# Shared helpers for scripts/bootstrap-engine.sh (sourced, not executed).
# Why bash: it runs before `npm test`, before anything is compiled, on a clean clone.

log() { printf '[engine] %s\n' "$*" >&2; }

# stamp_ok NAME KEY: true when component NAME was completed with exactly KEY (a version or source hash).
stamp_ok() { [[ -f "$STAMPS/$1" ]] && [[ "$(cat "$STAMPS/$1")" == "$2" ]]; }
stamp_set() { mkdir -p "$STAMPS"; printf '%s' "$2" > "$STAMPS/$1"; }

# Failures are remembered too, so a blocked module is probed once, not on every `npm test`;
# SLIPWAY_ENGINE_RETRY=1 forgets them.
fail_set() { mkdir -p "$STAMPS"; printf '%s' "$2" > "$STAMPS/$1.failed"; }
fail_get() { [[ -f "$STAMPS/$1.failed" ]] && cat "$STAMPS/$1.failed"; }
fail_clear() { rm -f "$STAMPS/$1.failed"; }

# proxy_status MODULE VERSION FILE(info|mod|zip): the HTTP status the Go proxy gives, without downloading.
# Used to tell "the proxy refuses this module" apart from a build failure, so the note can say which.
proxy_status() {
  local base="${GOPROXY_URL:-https://proxy.golang.org}" mod="$1" ver="$2" kind="$3" esc
  # The proxy protocol escapes capital letters as !lower.
  esc="$(printf '%s' "$mod" | sed -E 's/([A-Z])/!\L\1/g')"
  curl -sS -o /dev/null -r 0-0 -m 30 -w '%{http_code}' "$base/$esc/@v/$ver.$kind" 2>/dev/null || echo 000
}

# origin_hash MODULE VERSION: the git commit a tagged version was cut from, as recorded by the proxy.
origin_hash() {
  local base="${GOPROXY_URL:-https://proxy.golang.org}"
  curl -fsS -m 30 "$base/$1/@v/$2.info" 2>/dev/null \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const o=JSON.parse(s);if(o.Origin&&o.Origin.Hash)process.stdout.write(o.Origin.Hash+" "+o.Time)}catch{}})' \
    || true  # a refused .info is an answer ("no commit"), not a reason to stop the bootstrap
}

# pseudo_version MAJOR HASH TIME: Go's pseudo-version for an untagged commit, e.g. v4.0.0-20260917112258-b62f810278b9.
pseudo_version() {
  local stamp
  stamp="$(printf '%s' "$3" | tr -d -- '-:TZ' | cut -c1-14)"
  printf 'v%s.0.0-%s-%s' "$1" "$stamp" "$(printf '%s' "$2" | cut -c1-12)"
}

# npm_version PKG: the installed version of an npm package (the lockfile is what installed it).
npm_version() { node -p "require('$ROOT/node_modules/$1/package.json').version"; }
# plugin_version PKG: the provider plugin version the npm package asks the engine for.
plugin_version() {
  node -p "const p=require('$ROOT/node_modules/$1/package.json'); (p.pulumi && p.pulumi.version) || p.version"
}

# timed NAME CMD...: run CMD with its output in $LOGS/NAME.log, recording the seconds it took. A cold build takes
# many minutes, so while it runs a line every SLIPWAY_ENGINE_PROGRESS_SECONDS (default 30) says it is alive: the
# time so far and the build log's last line.
timed() {
  local name="$1" start end rc=0 ticker
  shift
  start=$(date +%s)
  log "building $name (full log: $LOGS/$name.log)"
  (
    while sleep "${SLIPWAY_ENGINE_PROGRESS_SECONDS:-30}"; do
      last="$(tail -n 1 "$LOGS/$name.log" 2>/dev/null | tr -d '\r' | cut -c1-90)"
      log "  $name: $(( $(date +%s) - start ))s so far${last:+ · $last}"
    done
  ) &
  ticker=$!
  "$@" >"$LOGS/$name.log" 2>&1 || rc=$?
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  end=$(date +%s)
  printf '%s' "$((end - start))" > "$LOGS/$name.seconds"
  if [[ "$rc" -eq 0 ]]; then log "$name: built in $((end - start))s"; else log "$name: failed after $((end - start))s (see $LOGS/$name.log)"; fi
  return "$rc"
}
