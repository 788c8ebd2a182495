// STAND-IN for the docker-build provider plugin (pulumi-resource-docker-build): no Docker engine or BuildKit runs
// on this machine, so a kind: build stack cannot really build here. Put this directory first on PATH and the
// engine uses it instead of the installed plugin (a plugin on PATH overrides the plugin cache: pulumi
// sdk/go/common/workspace/plugins.go GetPluginPath). It serves docker-build:index:Image the way the e2e tests
// need it: the digest is the sha256 of the build context's files, so different sources give different digests
// and the same sources the same digest, and every build appends one line to $SLIPWAY_STANDIN_BUILD_LOG so a
// test can tell whether a rollback built anything. Nothing is pushed anywhere.
"use strict";
const { createHash } = require("node:crypto");
const { appendFileSync, lstatSync, readdirSync, readFileSync, readlinkSync } = require("node:fs");
const path = require("node:path");

/** sha256 over the context's files (relative path and content), in name order; .git left out, links by target. */
function contextDigest(dir) {
  const hash = createHash("sha256");
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      if (name === ".git") continue;
      const p = path.join(d, name);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) hash.update(`${path.relative(dir, p)}\0->${readlinkSync(p)}\0`);
      else if (st.isDirectory()) walk(p);
      else hash.update(`${path.relative(dir, p)}\0`).update(readFileSync(p)).update("\0");
    }
  };
  walk(dir);
  return `sha256:${hash.digest("hex")}`;
}

function repositoryOf(inputs) {
  const tag = (inputs.tags ?? [])[0] ?? "registry.invalid/standin:latest";
  return tag.replace(/:[^:/]+$/, "");
}

function build(urn, inputs) {
  const dir = path.resolve(inputs.context?.location ?? ".");
  const digest = contextDigest(dir);
  const ref = `${repositoryOf(inputs)}@${digest}`;
  if (process.env.SLIPWAY_STANDIN_BUILD_LOG) appendFileSync(process.env.SLIPWAY_STANDIN_BUILD_LOG, `${JSON.stringify({ urn, context: dir, ref })}\n`);
  return { ...inputs, contextHash: digest, digest, ref };
}

const provider = {
  version: "0.0.22",
  async check(_urn, _olds, news) {
    return { inputs: news };
  },
  async diff(_id, _urn, olds, news) {
    const changed = contextDigest(path.resolve(news.context?.location ?? ".")) !== olds.contextHash || JSON.stringify(olds.tags) !== JSON.stringify(news.tags);
    return { changes: changed, replaces: changed ? ["contextHash"] : [], deleteBeforeReplace: false };
  },
  async create(urn, inputs) {
    const outs = build(urn, inputs);
    return { id: outs.digest, outs };
  },
  async update(_id, urn, _olds, news) {
    return { outs: build(urn, news) };
  },
  async delete() {
    // A real registry keeps pushed images too; slipway retains the build on delete anyway.
  },
};

module.exports = { contextDigest };
if (require.main === module) void require("@pulumi/pulumi/provider").main(provider, process.argv.slice(2));
