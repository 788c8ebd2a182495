// @ts-check
"use strict";
/**
 * Runs a TypeScript entry as ONE bundled JavaScript file, built on the fly by esbuild and cached by the content
 * hash of everything it is built from — so `pulumi up` always runs the current source (there is no build step to
 * forget) and a warm start costs a hash of the sources, not a TypeScript loader.
 *
 * Why not tsx: tsx hooks every `require`, lexes every file (typescript's 9 MB included) and resolves packages
 * file by file; node loading one prebuilt file with tree-shaken dependencies is several times faster, in the
 * program and in the dynamic-provider plugin alike.
 *
 * What the cache key covers: every file under the project's source directories (`infra/`, `stacks/`,
 * `components/`, whether imported or not, so a newly added file is seen too), `package.json`,
 * `tsconfig.json`, esbuild's version and options, and the exact content of every file the last build read
 * from `node_modules` (zod, ky, …; `@pulumi/*` stay external: the program and @pulumi/pulumi's runner must
 * share one copy of the SDK). A build whose sources changed while it ran is used but not recorded, so the
 * next start builds again. A source the bundle imports from outside those directories is refused at build
 * time, since the key would not cover it.
 *
 * Stack traces: the bundle has a source map (`sourcemap: external`, paths back to the .ts files), which the
 * `source-map-support` hook @pulumi/pulumi installs in every process applies, so frames name the TypeScript
 * file and line; bundled packages' mappings are left out of it (./sourcemap.js says why).
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { requireWithCodeCache } = require("./codecache.js");
const { filterSourceMap, frameIndexOf, frameIndexFileOf } = require("./sourcemap.js");

/** Directories whose every file is part of the key, relative to the project root. */
const SOURCE_DIRS = ["infra", "stacks", "components"];
/** Single files that change how esbuild compiles. */
const SOURCE_FILES = ["package.json", "tsconfig.json"];
/** Packages left to node's own resolution: the SDKs must be the one copy @pulumi/pulumi's runner loaded. */
const EXTERNAL = ["@pulumi/*", "esbuild", "tsx"];

/**
 * @param {crypto.Hash} h
 * @param {string} root
 * @param {string} rel
 */
function hashTree(h, root, rel) {
  const abs = path.join(root, rel);
  let entries;
  try {
    entries = fs.readdirSync(abs, { withFileTypes: true });
  } catch {
    h.update(`missing ${rel}\0`);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const child = path.posix.join(rel, e.name);
    if (e.isDirectory()) hashTree(h, root, child);
    else if (e.isFile()) h.update(`file ${child}\0`).update(fs.readFileSync(path.join(root, child))).update("\0");
  }
}

/**
 * The digest of the project's sources (see the header), from the files as they are now.
 * @param {string} root
 * @param {string} options the build options, serialized
 */
function sourceDigest(root, options) {
  const h = crypto.createHash("sha256").update(`${options}\0`);
  for (const d of SOURCE_DIRS) hashTree(h, root, d);
  for (const f of SOURCE_FILES) {
    const abs = path.join(root, f);
    h.update(`file ${f}\0`).update(fs.existsSync(abs) ? fs.readFileSync(abs) : "missing").update("\0");
  }
  return h.digest("hex");
}

/** @param {string} root @param {string[]} files */
function dependencyDigest(root, files) {
  const h = crypto.createHash("sha256");
  for (const f of files) {
    const abs = path.join(root, f);
    h.update(`file ${f}\0`).update(fs.existsSync(abs) ? fs.readFileSync(abs) : "missing").update("\0");
  }
  return h.digest("hex");
}

/** @param {string} file @param {string | Uint8Array} data */
function writeAtomically(file, data) {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/**
 * @typedef {object} Manifest
 * @property {string} source  digest of the project's sources
 * @property {string[]} dependencies  files under node_modules the bundle was built from, relative to the root
 * @property {string} dependencyDigest  digest of their contents
 * @property {string} bundle  file name of the bundle in the cache directory
 */

/**
 * @param {string} file
 * @returns {Manifest | undefined}
 */
function readManifest(file) {
  try {
    const m = JSON.parse(fs.readFileSync(file, "utf8"));
    if (m && typeof m.source === "string" && Array.isArray(m.dependencies) && typeof m.dependencyDigest === "string" && typeof m.bundle === "string") return m;
  } catch {
    // absent or half-written by an older version: build again
  }
  return undefined;
}

/**
 * Returns the path of an up-to-date bundle of `entry`, building it when the sources changed.
 * @param {{ root: string, entry: string | { contents: string, sourcefile: string }, name: string, cacheDir?: string }} opts
 *   root: the project root; entry: the TypeScript entry relative to it, or the text of a generated entry (resolved
 *   from the root; `sourcefile` names it in messages); name: the cache entry's name.
 * @returns {{ file: string, built: boolean }}
 */
function ensureBundle(opts) {
  const { root, name } = opts;
  const entry = typeof opts.entry === "string" ? opts.entry : opts.entry.sourcefile;
  const cacheDir = opts.cacheDir ?? path.join(root, "node_modules", ".cache", "slipway");
  // esbuild's JS API itself (~35 ms to load) is needed only to build; a warm start reads its version only.
  /** @type {{ version: string }} */
  const esbuildPackage = require("esbuild/package.json");
  /** @type {import("esbuild").BuildOptions} */
  const build = {
    ...(typeof opts.entry === "string"
      ? { entryPoints: [path.join(root, opts.entry)] }
      : { stdin: { contents: opts.entry.contents, sourcefile: opts.entry.sourcefile, resolveDir: root, loader: "js" } }),
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    format: "cjs",
    // The same transform as tsx (target, minifyWhitespace, keepNames): a function's text, which the SDK's closure
    // serializer copies into state, stays byte-identical to what a tsx-run program produced.
    target: `node${process.versions.node}`,
    minifyWhitespace: true,
    external: EXTERNAL,
    sourcemap: "external",
    sourcesContent: false,
    keepNames: true,
    metafile: true,
    write: false,
    logLevel: "silent",
  };
  const options = JSON.stringify({ esbuild: esbuildPackage.version, entry, ...build, entryPoints: undefined, absWorkingDir: undefined, stdin: build.stdin && { ...build.stdin, resolveDir: undefined } });
  const manifestFile = path.join(cacheDir, `${name}.json`);
  const source = sourceDigest(root, options);
  const m = readManifest(manifestFile);
  if (m && m.source === source && dependencyDigest(root, m.dependencies) === m.dependencyDigest && fs.existsSync(path.join(cacheDir, m.bundle))) {
    return { file: path.join(cacheDir, m.bundle), built: false };
  }

  fs.mkdirSync(cacheDir, { recursive: true });
  const stem = `${name}-${source.slice(0, 16)}`;
  let result;
  try {
    result = /** @type {typeof import("esbuild")} */ (require("esbuild")).buildSync({ ...build, outfile: path.join(cacheDir, `${stem}.js`) });
  } catch (error) {
    const failure = /** @type {{ errors?: import("esbuild").Message[] }} */ (error);
    const lines = (failure.errors ?? []).map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text));
    throw new Error(`slipway: cannot bundle ${entry}:\n  ${lines.length > 0 ? lines.join("\n  ") : String(error)}`);
  }
  const inputs = Object.keys(result.metafile?.inputs ?? {}).filter((f) => f !== "<stdin>");
  // Installed packages may live above the root (a workspace's hoisted node_modules) or behind a symlink.
  const isPackage = (/** @type {string} */ f) => f.startsWith("node_modules/") || f.includes("/node_modules/");
  const outside = inputs.filter((f) => !isPackage(f) && !SOURCE_DIRS.some((d) => f.startsWith(`${d}/`)));
  if (outside.length > 0) {
    throw new Error(`slipway: ${entry} imports ${outside.join(", ")}, outside ${SOURCE_DIRS.join("/, ")}/: the bundle cache would not see changes to it`);
  }
  const dependencies = inputs.filter(isPackage).sort();
  const js = result.outputFiles?.find((f) => f.path.endsWith(".js"));
  const map = result.outputFiles?.find((f) => f.path.endsWith(".js.map"));
  if (!js || !map) throw new Error(`slipway: esbuild produced no bundle for ${entry}`);
  const deps = dependencyDigest(root, dependencies);
  const bundle = `${stem}-${deps.slice(0, 8)}.js`;
  // Only slipway's own sources keep their mappings (see ./sourcemap.js): the map stays small to parse.
  const ownSource = (/** @type {string} */ s) => {
    const rel = path.relative(root, path.resolve(cacheDir, s)).split(path.sep).join("/");
    return SOURCE_DIRS.some((d) => rel.startsWith(`${d}/`));
  };
  const ownMap = filterSourceMap(map.text, ownSource);
  writeAtomically(path.join(cacheDir, `${bundle}.map`), ownMap);
  // The same map decoded, which the program reads instead of parsing the map (./traces.js mapBundleFrames).
  writeAtomically(frameIndexFileOf(path.join(cacheDir, bundle)), JSON.stringify(frameIndexOf(ownMap)));
  writeAtomically(path.join(cacheDir, bundle), `${js.text}//# sourceMappingURL=${bundle}.map\n`);
  // Record it only if nothing changed while esbuild read the files; otherwise the next start rebuilds.
  if (sourceDigest(root, options) === source) {
    /** @type {Manifest} */
    const manifest = { source, dependencies, dependencyDigest: deps, bundle };
    writeAtomically(manifestFile, JSON.stringify(manifest));
  }
  return { file: path.join(cacheDir, bundle), built: true };
}

/**
 * Requires the bundle of `entry` (see ensureBundle), compiled from V8's code cache when it has one
 * (./codecache.js), and returns its exports. `beforeLoad` is told the bundle's path before it runs.
 * @param {{ root: string, entry: string, name: string, beforeLoad?: (file: string) => void }} opts
 * @returns {unknown}
 */
function requireBundled(opts) {
  const { file } = ensureBundle(opts);
  opts.beforeLoad?.(file);
  return requireWithCodeCache(file, (f) => require(f));
}

module.exports = { ensureBundle, requireBundled, sourceDigest, SOURCE_DIRS };
