# Provider plugins and tools (sourced by bootstrap-engine.sh). Each one that cannot be built is recorded
# with the exact reason in $CACHE/engine.json and the run goes on: a missing plugin only fails the
# programs that use it, with the engine's own "no resource plugin" error.

PLUGIN_STATUS=()   # lines "name|version|status|detail"

plugin_record() { PLUGIN_STATUS+=("$1|$2|$3|$4"); }

# install_plugin NAME VERSION BINARY: into $PULUMI_HOME, where the engine looks first when it runs offline.
install_plugin() {
  PULUMI_HOME="$PULUMI_HOME" PULUMI_SKIP_UPDATE_CHECK=true "$BIN/pulumi" plugin install resource "$1" "$2" \
    --file "$3" >>"$LOGS/plugin-install.log" 2>&1
}

plugin_installed() { [[ -d "$PULUMI_HOME/plugins/resource-$1-v$2" ]]; }

# probe_untagged NAME VERSION TAGGED_MODULE TAG UNTAGGED_MODULE MAJOR: random, github and command build their
# provider from an untagged nested module, pinned to the commit their SDK tag was cut from. This finds
# that commit from the proxy's record of the tag and asks the proxy for the provider module at it.
probe_untagged() {
  local name="$1" version="$2" tagged="$3" tag="$4" module="$5" major="$6" origin pv st
  if plugin_installed "$name" "$version"; then plugin_record "$name" "$version" installed ""; return; fi
  if [[ -n "$(fail_get "plugin-$name")" && "${SLIPWAY_ENGINE_RETRY:-}" != 1 ]]; then
    plugin_record "$name" "$version" unavailable "$(fail_get "plugin-$name")"; return
  fi
  origin="$(origin_hash "$tagged" "$tag")"
  if [[ -z "$origin" ]]; then
    st="$(proxy_status "$tagged" "$tag" info)"
    fail_set "plugin-$name" "the Go proxy gives no commit for $tagged@$tag (HTTP $st), so $module cannot be pinned"
  else
    pv="$(pseudo_version "$major" ${origin})"
    st="$(proxy_status "$module" "$pv" zip)"
    if [[ "$st" =~ ^20[06]$ ]]; then
      fail_set "plugin-$name" "the Go proxy serves $module@$pv, but slipway has no build recipe for it yet"
    else
      fail_set "plugin-$name" "the Go proxy refuses $module@$pv (HTTP $st: \"This module version is not available\"); tagged versions and the module list are refused too"
    fi
  fi
  log "plugin $name v$version: $(fail_get "plugin-$name")"
  plugin_record "$name" "$version" unavailable "$(fail_get "plugin-$name")"
}

# docker_build_standins DIR: docker-build's provider imports two codegen packages only for two struct
# types it writes into its schema's C# and Java sections (SDK-generation hints). The proxy refuses both
# modules (pulumi-language-dotnet/v3, pulumi-java), so when it does, local stand-ins with just those types
# and their JSON field names are used via replace lines. The provider's runtime behaviour never reads them.
docker_build_standins() {
  local dir="$1" dotnet=github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3 java=github.com/pulumi/pulumi-java
  if [[ ! "$(proxy_status "$dotnet" v3.107.0 zip)" =~ ^20[06]$ ]]; then
    mkdir -p "$dir/standin/dotnet/codegen"
    printf 'module %s\n\ngo 1.22\n' "$dotnet" >"$dir/standin/dotnet/go.mod"
    cat >"$dir/standin/dotnet/codegen/codegen.go" <<'EOF'
// Package codegen is slipway's stand-in for the C# schema hints docker-build writes (see plugins.sh).
package codegen

type CSharpPackageInfo struct {
	RespectSchemaVersion bool              `json:"respectSchemaVersion,omitempty"`
	PackageReferences    map[string]string `json:"packageReferences,omitempty"`
}
EOF
    printf '\nreplace %s => ./standin/dotnet\n' "$dotnet" >>"$dir/go.mod"
  fi
  if [[ ! "$(proxy_status "$java" v1.29.0 zip)" =~ ^20[06]$ ]]; then
    mkdir -p "$dir/standin/java/pkg/codegen/java"
    printf 'module %s\n\ngo 1.22\n' "$java" >"$dir/standin/java/go.mod"
    cat >"$dir/standin/java/pkg/codegen/java/java.go" <<'EOF'
// Package java is slipway's stand-in for the Java schema hints docker-build writes (see plugins.sh).
package java

type PackageInfo struct {
	BuildFiles                      string            `json:"buildFiles,omitempty"`
	GradleNexusPublishPluginVersion string            `json:"gradleNexusPublishPluginVersion,omitempty"`
	Dependencies                    map[string]string `json:"dependencies,omitempty"`
}
EOF
    printf '\nreplace %s => ./standin/java\n' "$java" >>"$dir/go.mod"
  fi
}

# build_docker_build VERSION: pulumi-docker-build is a tagged root module without replace lines, so a
# wrapper module can require it and build its cmd directly.
build_docker_build() {
  local v="$1" dir="$WORK/docker-build"
  rm -rf "$dir"; mkdir -p "$dir"
  cat >"$dir/go.mod" <<EOF
module slipway.local/engine/dockerbuild

go 1.26

require github.com/pulumi/pulumi-docker-build v$v

tool github.com/pulumi/pulumi-docker-build/provider/cmd/pulumi-resource-docker-build
EOF
  docker_build_standins "$dir"
  ( cd "$dir" && go mod tidy &&
    go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi-docker-build/provider.Version=$v" \
      -o "$WORK/pulumi-resource-docker-build" github.com/pulumi/pulumi-docker-build/provider/cmd/pulumi-resource-docker-build )
}

# build_failure_reason LOG: one line saying why a Go build failed; refused modules are named, since
# that is the usual cause here and the one a reader can act on.
build_failure_reason() {
  local refused
  refused="$(grep -oE 'proxy.golang.org/[^ ]+/@v/[^ ]+\.(zip|mod|info): 403' "$1" \
    | sed -E 's#proxy.golang.org/(.+)/@v/(.+)\.(zip|mod|info): 403#\1@\2#' | sort -u | paste -sd, - | sed 's/,/, /g')"
  if [[ -n "$refused" ]]; then
    printf 'the Go proxy refuses modules the provider imports (HTTP 403 "This module version is not available"): %s' "$refused"
  else
    grep -v '^go: downloading' "$1" | grep -m1 -E 'error|cannot|undefined|missing' | cut -c1-300
  fi
}

ensure_docker_build() {
  local v="$1"
  if plugin_installed docker-build "$v"; then plugin_record docker-build "$v" installed ""; return; fi
  if [[ -n "$(fail_get plugin-docker-build)" && "${SLIPWAY_ENGINE_RETRY:-}" != 1 ]]; then
    plugin_record docker-build "$v" unavailable "$(fail_get plugin-docker-build)"; return
  fi
  if [[ "${SLIPWAY_ENGINE_SKIP_DOCKER_BUILD:-}" == 1 ]]; then
    plugin_record docker-build "$v" skipped "SLIPWAY_ENGINE_SKIP_DOCKER_BUILD=1"; return
  fi
  log "building pulumi-resource-docker-build v$v (log: $LOGS/docker-build.log)"
  if timed docker-build build_docker_build "$v" && install_plugin docker-build "$v" "$WORK/pulumi-resource-docker-build"; then
    fail_clear plugin-docker-build
    plugin_record docker-build "$v" installed "built in $(cat "$LOGS/docker-build.seconds")s"
  else
    fail_set plugin-docker-build "$(build_failure_reason "$LOGS/docker-build.log")"
    plugin_record docker-build "$v" unavailable "$(fail_get plugin-docker-build)"
  fi
  rm -f "$WORK/pulumi-resource-docker-build"
}

ensure_plugins() {
  local v
  v="$(plugin_version @pulumi/random)"
  probe_untagged random "$v" github.com/pulumi/pulumi-random/sdk/v4 "v$v" github.com/pulumi/pulumi-random/provider/v4 4
  v="$(plugin_version @pulumi/github)"
  probe_untagged github "$v" github.com/pulumi/pulumi-github/sdk/v6 "v$v" github.com/pulumi/pulumi-github/provider/v6 6
  v="$(plugin_version @pulumi/command)"
  probe_untagged command "$v" github.com/pulumi/pulumi-command/sdk "v$v" github.com/pulumi/pulumi-command/provider 0
  ensure_docker_build "$(plugin_version @pulumi/docker-build)"
}

# actionlint checks the GitHub workflows slipway writes; it is a plain tagged module.
ensure_actionlint() {
  local v="${SLIPWAY_ACTIONLINT_VERSION:-1.7.12}"
  stamp_ok actionlint "$v" && [[ -x "$BIN/actionlint" ]] && return 0
  log "building actionlint v$v"
  if timed actionlint env GOBIN="$BIN" go install "github.com/rhysd/actionlint/cmd/actionlint@v$v"; then
    stamp_set actionlint "$v"
  else
    log "actionlint build failed (see $LOGS/actionlint.log); workflow lint tests will report it"
  fi
}
