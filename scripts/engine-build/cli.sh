# The `pulumi` CLI, the Node.js language host and the dynamic-provider plugin (sourced by bootstrap-engine.sh).

# cli_from_path: a `pulumi` of exactly the SDK's version already on PATH is used as is.
cli_from_path() {
  local found
  found="$(PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$BIN" | paste -sd:)" command -v pulumi || true)"
  [[ -n "$found" ]] || return 1
  [[ "$("$found" version 2>/dev/null)" == "v$SDK_VERSION" ]] || return 1
  ln -sf "$found" "$BIN/pulumi"
  CLI_VERSION="$SDK_VERSION"; CLI_SOURCE="path:$found"
  log "using pulumi v$SDK_VERSION from PATH ($found)"
}

# cli_from_installer: Pulumi's installer, with short timeouts because it is unreachable on offline machines.
cli_from_installer() {
  local script="$WORK/get-pulumi.sh"
  curl -fsSL --connect-timeout 3 -m 8 -o "$script" https://get.pulumi.com 2>/dev/null || return 1
  timeout 120 sh "$script" --version "$SDK_VERSION" --install-root "$CACHE/installer" --no-edit-path \
    >"$LOGS/installer.log" 2>&1 || return 1
  [[ -x "$CACHE/installer/bin/pulumi" ]] || return 1
  ln -sf "$CACHE/installer/bin/pulumi" "$BIN/pulumi"
  for f in "$CACHE/installer/bin/"pulumi-language-nodejs "$CACHE/installer/bin/"pulumi-resource-pulumi-nodejs; do
    [[ -e "$f" ]] && ln -sf "$f" "$BIN/"
  done
  CLI_VERSION="$SDK_VERSION"; CLI_SOURCE="installer"
  log "installed pulumi v$SDK_VERSION with Pulumi's installer"
}

# pick_cli_version: the SDK's own version when the proxy serves pkg/v3 at that tag; otherwise the oldest
# newer release it does serve (a CLI newer than the SDK is the direction Pulumi supports; older is not).
pick_cli_version() {
  local v
  if [[ "$(proxy_status github.com/pulumi/pulumi/pkg/v3 "v$SDK_VERSION" zip)" =~ ^20[06]$ ]]; then
    printf '%s' "$SDK_VERSION"; return 0
  fi
  log "the Go proxy does not serve github.com/pulumi/pulumi/pkg/v3@v$SDK_VERSION; looking for a newer release"
  for v in $(curl -fsS -m 30 "${GOPROXY_URL:-https://proxy.golang.org}/github.com/pulumi/pulumi/pkg/v3/@v/list" | sort -V); do
    v="${v#v}"
    [[ "$(printf '%s\n%s\n' "$SDK_VERSION" "$v" | sort -V | head -1)" == "$SDK_VERSION" ]] || continue
    [[ "$v" == "$SDK_VERSION" ]] && continue
    if [[ "$(proxy_status github.com/pulumi/pulumi/pkg/v3 "v$v" zip)" =~ ^20[06]$ ]] &&
       [[ "$(proxy_status github.com/pulumi/pulumi/sdk/v3 "v$v" zip)" =~ ^20[06]$ ]]; then
      printf '%s' "$v"; return 0
    fi
  done
  return 1
}

# cli_from_source VERSION: build cmd/pulumi inside a throwaway wrapper module. pkg/go.mod's own replace
# lines make `go install pkg@version` refuse, so the wrapper requires pkg and sdk at one tag and repeats
# the replaces it needs (all but the ../sdk one, which the sdk requirement replaces).
cli_from_source() {
  local v="$1" dir="$WORK/cli" replaces
  rm -rf "$dir"; mkdir -p "$dir"
  replaces="$(curl -fsS -m 30 "${GOPROXY_URL:-https://proxy.golang.org}/github.com/pulumi/pulumi/pkg/v3/@v/v$v.mod" \
    | grep -E '^replace ' | grep -v '=> \.\./' || true)"
  cat >"$dir/go.mod" <<EOF
module slipway.local/engine/cli

go 1.26

require (
	github.com/pulumi/pulumi/pkg/v3 v$v
	github.com/pulumi/pulumi/sdk/v3 v$v
)

$replaces

tool github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
EOF
  ( cd "$dir" && go mod tidy &&
    go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$v" \
      -o "$BIN/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi )
}

ensure_cli() {
  if stamp_ok cli "$SDK_VERSION" && [[ -x "$BIN/pulumi" ]]; then
    CLI_VERSION="$(cat "$STAMPS/cli.version")"; CLI_SOURCE="$(cat "$STAMPS/cli.source")"
    return 0
  fi
  if ! cli_from_path && ! cli_from_installer; then
    CLI_VERSION="$(pick_cli_version)" || { log "no buildable github.com/pulumi/pulumi/pkg/v3 >= v$SDK_VERSION on the Go proxy"; return 1; }
    log "building pulumi v$CLI_VERSION from the Go module proxy (log: $LOGS/cli.log)"
    timed cli cli_from_source "$CLI_VERSION" || { log "pulumi build failed; see $LOGS/cli.log"; tail -20 "$LOGS/cli.log" >&2; return 1; }
    CLI_SOURCE="go-build"
  fi
  printf '%s' "$CLI_VERSION" > "$STAMPS/cli.version"; printf '%s' "$CLI_SOURCE" > "$STAMPS/cli.source"
  stamp_set cli "$SDK_VERSION"
}

# ensure_langhost: Pulumi's Node.js language host is an untagged module the proxy does not serve, so
# slipway builds its own small one (scripts/engine-build/langhost) against the same sdk/v3 as the CLI.
# An installer-provided or PATH-provided host is kept.
ensure_langhost() {
  [[ -e "$BIN/pulumi-language-nodejs" && "$CLI_SOURCE" != "go-build" ]] && return 0
  local key dir="$WORK/langhost"
  key="$CLI_VERSION-$(cat "$ROOT"/scripts/engine-build/langhost/*.go | sha256sum | cut -c1-16)"
  stamp_ok langhost "$key" && [[ -x "$BIN/pulumi-language-nodejs" ]] && return 0
  log "building pulumi-language-nodejs (log: $LOGS/langhost.log)"
  rm -rf "$dir"; mkdir -p "$dir"; cp "$ROOT"/scripts/engine-build/langhost/*.go "$dir/"
  printf 'module slipway.local/engine/langhost\n\ngo 1.26\n\nrequire github.com/pulumi/pulumi/sdk/v3 v%s\n' "$CLI_VERSION" >"$dir/go.mod"
  timed langhost bash -c "cd '$dir' && go mod tidy && go build -trimpath -ldflags '-s -w -X main.version=$CLI_VERSION' -o '$BIN/pulumi-language-nodejs' ." \
    || { log "language host build failed; see $LOGS/langhost.log"; tail -20 "$LOGS/langhost.log" >&2; return 1; }
  stamp_set langhost "$key"
}

# ensure_dynamic_provider: the plugin the engine starts for `pulumi.dynamic.Resource`s. It runs node on
# @pulumi/pulumi's dynamic-provider host, resolved from the working directory, which the engine sets to
# the project directory, so it is the project's own copy of the SDK.
ensure_dynamic_provider() {
  cat >"$BIN/pulumi-resource-pulumi-nodejs" <<'EOF'
#!/bin/sh
# Written by slipway's scripts/bootstrap-engine.sh.
host="$(node -p "require.resolve('@pulumi/pulumi/cmd/dynamic-provider')" 2>/dev/null)" || {
  echo "pulumi-resource-pulumi-nodejs: @pulumi/pulumi is not installed under $(pwd) (run npm install)" >&2
  exit 1
}
exec node "$host" "$@"
EOF
  chmod +x "$BIN/pulumi-resource-pulumi-nodejs"
}
