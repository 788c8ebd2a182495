// @ts-check
"use strict";
/**
 * In the dynamic-provider plugin: answers every `require` of a module the dynamic resources' loader asks for —
 * the provider registry (components/provider/registry.ts) and the project's `*.provider.ts` modules — with that
 * module from ONE bundle of all of them (./bundle.js, rebuilt whenever a source changes), instead of tsx
 * transpiling each (esbuild's service started on first use: ~0.1 s) and resolving zod, ky and the API clients
 * file by file.
 *
 * Why a hook and not a change to the loader: the loader is the text every resource's state holds
 * (components/dynamic.ts); changing it would change every existing stack's state. Whatever the loader
 * resolves — a module path of an old state or one named by the registry — it ends in a `require` of the
 * file's absolute path (tsx's `require` API appends a `?namespace=…` query), which this hook serves.
 * The bundle is of the same sources, so the provider code is the same; only the module identity differs
 * (one copy of zod and the clients for every provider, which providers do not compare).
 *
 * Warm-up: `warm` loads ahead of the first check what that check would load — the bundle, tsx's API the loader
 * requires, and every served module's top level — while the program is still loading (./plugin-preload.js
 * says when). A module whose top level throws keeps that error for its first real `require`.
 *
 * A file that is not in the bundle (added after the plugin started) falls through to the normal loader.
 */
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const { ensureBundle, SOURCE_DIRS } = require("./bundle.js");
const { requireWithCodeCache } = require("./codecache.js");

const INSTALLED = Symbol.for("slipway.serveProvidersFromBundle");

/** The registry every loader reads first; states hold this path (components/dynamic.ts REGISTRY_MODULE). */
const REGISTRY_MODULE = "components/provider/registry.ts";

/**
 * @param {string} root
 * @returns {string[]} the registry and every `*.provider.ts` under the source directories, relative, sorted
 */
function providerModules(root) {
  /** @type {string[]} */
  const out = [];
  /** @param {string} rel */
  const walk = (rel) => {
    let entries;
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const child = path.posix.join(rel, e.name);
      if (e.isDirectory()) walk(child);
      else if (e.isFile() && e.name.endsWith(".provider.ts")) out.push(child);
    }
  };
  for (const d of SOURCE_DIRS) walk(d);
  if (fs.existsSync(path.join(root, REGISTRY_MODULE))) out.push(REGISTRY_MODULE);
  return out.sort();
}

/**
 * The generated entry: one lazily evaluated export per provider module, keyed by its path from the root.
 * @param {string[]} modules
 */
function entryText(modules) {
  const lines = modules.map((m) => `Object.defineProperty(exports, ${JSON.stringify(m)}, { enumerable: true, get: () => require(${JSON.stringify(`./${m}`)}) });`);
  return `"use strict";\n${lines.join("\n")}\n`;
}

/**
 * Installs the hook once per process.
 * @param {string} root the project root (holding Pulumi.yaml and node_modules)
 * @returns {{ served: string[], warm: () => void }} the provider modules served from the bundle so far, and `warm`,
 *   which loads the bundle ahead of the first require
 */
function serveProvidersFromBundle(root) {
  const g = /** @type {Record<symbol, { served: string[], warm: () => void }>} */ (/** @type {unknown} */ (globalThis));
  const existing = g[INSTALLED];
  if (existing) return existing;
  /** @type {{ served: string[], warm: () => void }} */
  const record = { served: [], warm: () => undefined };
  g[INSTALLED] = record;
  const realRoot = fs.realpathSync(root);
  /** @type {Record<string, unknown> | undefined} */
  let bundle;
  /** @type {Set<string> | undefined} */
  let known;
  /** @type {Map<string, unknown>} what a served module's top level threw while warming */
  const failed = new Map();
  const m = /** @type {any} */ (Module);
  const original = m._load;
  const loadBundle = () => {
    if (known) return;
    const modules = providerModules(realRoot);
    known = new Set(modules);
    if (modules.length > 0) {
      const built = ensureBundle({ root: realRoot, entry: { contents: entryText(modules), sourcefile: "infra/boot/providers-entry.js" }, name: "providers" });
      bundle = /** @type {Record<string, unknown>} */ (requireWithCodeCache(built.file, (f) => original.call(m, f, null, false)));
    }
  };
  // Loads now what the first check would load (see the header). A failure is left to that first use, which
  // reports it where the engine shows it: the bundle is loaded again, a module's error is thrown again (the
  // bundle's module wrappers run a top level once, so a second `require` would not).
  record.warm = () => {
    try {
      loadBundle();
      /** @type {(id: string) => unknown} */ (require)("tsx/cjs/api");
    } catch {
      known = undefined;
      bundle = undefined;
      return;
    }
    for (const rel of known ?? []) {
      try {
        void bundle?.[rel];
      } catch (error) {
        failed.set(rel, error);
      }
    }
  };
  m._load = function load(/** @type {string} */ request, /** @type {any} */ parent, /** @type {boolean} */ isMain) {
    const file = typeof request === "string" ? request.split("?")[0] ?? "" : "";
    if (!file.endsWith(".ts") || !path.isAbsolute(file)) return original.call(this, request, parent, isMain);
    let rel;
    try {
      rel = path.relative(realRoot, fs.realpathSync(file)).split(path.sep).join("/");
    } catch {
      return original.call(this, request, parent, isMain);
    }
    loadBundle();
    if (!bundle || !known?.has(rel)) return original.call(this, request, parent, isMain);
    if (failed.has(rel)) throw failed.get(rel);
    record.served.push(rel);
    return bundle[rel];
  };
  return record;
}

module.exports = { serveProvidersFromBundle, providerModules };
