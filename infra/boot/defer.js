// @ts-check
"use strict";
/**
 * Keeps `typescript` (9 MB) and `@npmcli/arborist` (with pacote, sigstore, …) from loading until they are used.
 *
 * Why: `@pulumi/pulumi`'s index requires its closure serializer eagerly (index → automation → runtime →
 * runtime/closure/serializeClosure → createClosure → parseFunction → `../../typescript-shim`, and runtime →
 * runtime/closure/codePaths → `@npmcli/arborist` and `normalize-package-data`). Loading them costs about
 * 0.8 s of every `pulumi preview`, in the program and again in the dynamic-provider plugin, yet a program that
 * serializes no closure and computes no code paths never calls them.
 *
 * How: a `Module._load` hook answers exactly those three requests — and only when they come from
 * @pulumi/pulumi's own files — with a stand-in that loads the real module on first use and forwards to it.
 * The index's `automation` and `provider` namespaces are deferred the same way (see DEFERRED).
 * The call sites are known (read @pulumi/pulumi 3.270.0 index.js, runtime/closure/*.js, typescript-shim.js):
 *   - `const ts = require("../../typescript-shim")` (parseFunction.js, utils.js, rewriteSuper.js, tsutils.js,
 *     provider/experimental/analyzer.js): plain property reads, `ts.createSourceFile(…)`, `ts.SyntaxKind.X`.
 *   - `arborist = __importStar(require("@npmcli/arborist"))` (codePaths.js): TypeScript's `__importStar`
 *     returns a module that reports `__esModule` as is, so the stand-in says `__esModule: true` without
 *     loading, and `new arborist.Arborist(…)` later loads it.
 *   - `__importDefault(require("normalize-package-data"))` (codePaths.js): a function module; calling the
 *     stand-in loads it.
 * Anything else (the program's own `require("typescript")`, another package) is untouched. When the real
 * module cannot load, the first use throws the same error the eager `require` would have thrown at start-up.
 */
const Module = require("node:module");
const path = require("node:path");

/**
 * Requests deferred when made from a file of @pulumi/pulumi (`from`: its path inside the package, several, or `*`
 * for any),
 * and how the call site imports them: `star` through `__importStar` (the stand-in must claim `__esModule`, or the
 * helper copies — and so loads — every export), `default` through `__importDefault` of a function module (it must
 * not claim it, so the helper wraps it and calls it later), `plain` by a bare `require`.
 * @type {Map<string, { from: string | string[], use: "star" | "default" | "plain" }>}
 */
const DEFERRED = new Map([
  ["../../typescript-shim", { from: "*", use: "plain" }],
  ["./typescript-shim", { from: "*", use: "plain" }],
  ["@npmcli/arborist", { from: "runtime/closure/codePaths.js", use: "star" }],
  ["normalize-package-data", { from: "runtime/closure/codePaths.js", use: "default" }],
  // `pulumi.automation` (execa, js-yaml, the language server: 0.2 s) and `pulumi.provider` are namespaces a
  // program reaches through the index only when it uses them; `@pulumi/pulumi/automation` imports are untouched.
  ["./automation", { from: "index.js", use: "star" }],
  // semver (every module of it: ~0.1 s) is used inside functions only: comparing resource packages' versions
  // when a resource reference is deserialized (runtime/rpc.js) and typescript's version when a closure is
  // serialized (runtime/closure/rewriteSuper.js); the dynamic-provider plugin loads both before it can answer.
  ["semver", { from: ["runtime/rpc.js", "runtime/closure/rewriteSuper.js"], use: "star" }],
  ["./provider", { from: "index.js", use: "star" }],
]);

const SDK_DIR = `${path.sep}node_modules${path.sep}@pulumi${path.sep}pulumi${path.sep}`;
const INSTALLED = Symbol.for("slipway.deferSdkTooling");

/**
 * A stand-in for a module: loads it with `load` on first use and forwards every operation to it.
 * @param {() => unknown} load
 * @param {"star" | "default" | "plain"} use how the call site imports it (see DEFERRED)
 * @returns {object}
 */
function lazyModule(load, use) {
  /** @type {any} */
  let real;
  let loaded = false;
  const get = () => {
    if (!loaded) {
      real = load();
      loaded = true;
    }
    return real;
  };
  const target = use === "default" ? function deferredModule() {} : {};
  return new Proxy(target, {
    get(_t, prop) {
      // Only the import helper asks before first use; answering here must not load the module.
      if (prop === "__esModule" && !loaded && use !== "plain") return use === "star" ? true : undefined;
      return Reflect.get(get(), prop);
    },
    has: (_t, prop) => Reflect.has(get(), prop),
    set: (_t, prop, value) => Reflect.set(get(), prop, value),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor(_t, prop) {
      const d = Reflect.getOwnPropertyDescriptor(get(), prop);
      // A proxy may not report a non-configurable property its (empty) target lacks.
      return d ? { ...d, configurable: true } : undefined;
    },
    apply: (_t, thisArg, args) => Reflect.apply(get(), thisArg, args),
    construct: (_t, args) => Reflect.construct(get(), args),
  });
}

/**
 * Installs the hook once per process; must run before @pulumi/pulumi's index is first required. Returns the
 * list of requests it deferred so far (for tests and the bench's probe).
 * @returns {{ deferred: string[], loaded: string[] }}
 */
function deferSdkTooling() {
  const g = /** @type {Record<symbol, { deferred: string[], loaded: string[] }>} */ (/** @type {unknown} */ (globalThis));
  const existing = g[INSTALLED];
  if (existing) return existing;
  const record = { deferred: /** @type {string[]} */ ([]), loaded: /** @type {string[]} */ ([]) };
  g[INSTALLED] = record;
  /** @type {Map<string, object>} */
  const standIns = new Map();
  const m = /** @type {any} */ (Module);
  const original = m._load;
  m._load = function load(/** @type {string} */ request, /** @type {any} */ parent, /** @type {boolean} */ isMain) {
    const rule = DEFERRED.get(request);
    const from = parent && typeof parent.filename === "string" ? parent.filename : "";
    const at = from.lastIndexOf(SDK_DIR);
    const inSdk = at >= 0 ? from.slice(at + SDK_DIR.length).split(path.sep).join("/") : undefined;
    const fromHere = rule && (rule.from === "*" || (Array.isArray(rule.from) ? rule.from.includes(inSdk ?? "") : rule.from === inSdk));
    if (!rule || inSdk === undefined || !fromHere) return original.call(this, request, parent, isMain);
    // Resolve now (cheap, and a missing module still fails here as before); load later.
    const filename = m._resolveFilename(request, parent, isMain);
    const cached = m._cache[filename];
    if (cached && cached.loaded) return cached.exports;
    let standIn = standIns.get(filename);
    if (!standIn) {
      record.deferred.push(request);
      standIn = lazyModule(() => {
        record.loaded.push(request);
        return original.call(m, filename, parent, false);
      }, rule.use);
      standIns.set(filename, standIn);
    }
    return standIn;
  };
  return record;
}

module.exports = { deferSdkTooling };
