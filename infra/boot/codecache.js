// @ts-check
"use strict";
/**
 * `require` of one bundle from node_modules/.cache/slipway with V8's code cache kept beside it, so a warm start
 * does not compile the bundle's 0.8–1.3 MB of JavaScript again (requireWithCodeCache); and the same for every
 * node_modules module a process loads (cacheCompiledModules, for the dynamic-provider plugin).
 *
 * Why: node 20 has no module compile cache (`module.enableCompileCache` came with node 22); compiling a bundle
 * took ~0.15 s of every start of the program, the plugin and the CLI, each time for the same bytes.
 *
 * How: node's own loader runs as usual (resolution, `require.cache`, the module's parent, loaders that watch
 * `Module._load`); only `Module.prototype._compile` of that one file is swapped for a `vm.Script` given the
 * cached data. The wrapper sits on a line of its own with `lineOffset: -1`, so every frame keeps the line and
 * column of the file on disk and source maps still apply. The cache is written after the bundle ran (so it
 * holds the functions compiled while running, not only the top level) and whenever V8 rejected the old one
 * (another node, other flags); it is named after V8's version, and a bundle's name changes with its content.
 * Any failure to read or write the cache falls back to a plain compile.
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const vm = require("node:vm");

/** @param {string} file */
const cacheFileOf = (file) => `${file}.v8-${process.versions.v8}.cache`;

/**
 * A `require` for `mod`, as node gives a CommonJS module (lib/internal/modules/helpers.js makeRequireFunction).
 * @param {any} mod
 */
function requireFor(mod) {
  const M = /** @type {any} */ (Module);
  /** @param {string} id */
  const req = (id) => mod.require(id);
  req.resolve = (/** @type {string} */ request, /** @type {unknown} */ options) => M._resolveFilename(request, mod, false, options);
  req.resolve.paths = (/** @type {string} */ request) => M._resolveLookupPaths(request, mod);
  req.main = require.main;
  req.extensions = M._extensions;
  req.cache = M._cache;
  return req;
}

/**
 * Requires `file` (an absolute path) with its code cache; `load` does the require (the caller's own, so the
 * module's parent is the caller's). Returns the module's exports.
 * @param {string} file
 * @param {(file: string) => unknown} load
 * @returns {unknown}
 */
function requireWithCodeCache(file, load) {
  const M = /** @type {any} */ (Module);
  if (M._cache[file]) return load(file);
  const cacheFile = cacheFileOf(file);
  const cachedData = readCache(cacheFile);
  /** @type {vm.Script | undefined} */
  let script;
  const original = M.prototype._compile;
  M.prototype._compile = function compile(/** @type {string} */ content, /** @type {string} */ filename) {
    if (filename !== file) return original.call(this, content, filename);
    M.prototype._compile = original;
    script = compileScript(content, filename, cachedData);
    return runModule(this, script, filename);
  };
  try {
    return load(file);
  } finally {
    M.prototype._compile = original;
    if (script && (!cachedData || script.cachedDataRejected)) writeCache(cacheFile, script);
  }
}

/**
 * The CommonJS wrapper of `content` as a script, its first line kept as line 1 (see the header).
 * @param {string} content
 * @param {string} filename
 * @param {Buffer | undefined} cachedData
 */
function compileScript(content, filename, cachedData) {
  // A hashbang line (a CLI's entry) is valid only at the very start of a script; as a comment it keeps its length.
  const source = content.startsWith("#!") ? `//${content.slice(2)}` : content;
  return new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, {
    filename,
    lineOffset: -1,
    cachedData,
    // `import()` inside the module resolves as in any CommonJS module (node ≥ 20.12).
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

/**
 * A code cache for every module `include` accepts as node loads it, one file per module in `dir`, named by a
 * hash of its path, size, modification time and V8's version (V8 itself refuses a cache that does not fit, and
 * the module is then compiled and its cache written again). Returns `flush`, which writes the caches of the
 * modules compiled without one so far.
 *
 * Why: the dynamic-provider plugin's start compiles ~3 MB of @pulumi/pulumi, gRPC and protobuf code each time
 * it starts, on one of two cores the program needs at the same moment; the compile is most of the ~0.35 s it
 * takes to be ready. (Node 22 has this as `module.enableCompileCache`; node 20 does not.)
 * @param {{ dir: string, include: (file: string) => boolean }} opts
 * @returns {{ flush: () => void }}
 */
function cacheCompiledModules(opts) {
  const M = /** @type {any} */ (Module);
  const original = M.prototype._compile;
  /** @type {[string, vm.Script][]} */
  const pending = [];
  M.prototype._compile = function compile(/** @type {string} */ content, /** @type {string} */ filename) {
    if (!opts.include(filename)) return original.call(this, content, filename);
    let cacheFile;
    try {
      const stat = fs.statSync(filename);
      const key = crypto.createHash("sha1").update(`${filename}\0${stat.size}\0${stat.mtimeMs}\0${process.versions.v8}`).digest("hex");
      cacheFile = path.join(opts.dir, `${key}.cache`);
    } catch {
      return original.call(this, content, filename);
    }
    const cachedData = readCache(cacheFile);
    const script = compileScript(content, filename, cachedData);
    if (!cachedData || script.cachedDataRejected) pending.push([cacheFile, script]);
    return runModule(this, script, filename);
  };
  return {
    flush() {
      if (pending.length === 0) return;
      try {
        fs.mkdirSync(opts.dir, { recursive: true });
      } catch {
        return;
      }
      for (const [file, script] of pending.splice(0)) writeCache(file, script);
    },
  };
}

/**
 * Runs a compiled module wrapper as node's loader would: `this` is the module's exports.
 * @param {any} mod the module being loaded
 * @param {vm.Script} script its wrapper (compileScript)
 * @param {string} filename
 */
function runModule(mod, script, filename) {
  const fn = script.runInThisContext({ displayErrors: true });
  return fn.call(mod.exports, mod.exports, requireFor(mod), mod, filename, path.dirname(filename));
}

/** @param {string} cacheFile @returns {Buffer | undefined} the cached data, or none when there is none to read */
function readCache(cacheFile) {
  try {
    return fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

/** @param {string} cacheFile @param {vm.Script} script */
function writeCache(cacheFile, script) {
  try {
    const tmp = `${cacheFile}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
    fs.writeFileSync(tmp, script.createCachedData());
    fs.renameSync(tmp, cacheFile);
  } catch {
    // a read-only cache directory only costs the next start a compile
  }
}

module.exports = { requireWithCodeCache, cacheCompiledModules, cacheFileOf };
