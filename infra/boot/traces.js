// @ts-check
"use strict";
/**
 * Keeps the source-mapped stack traces where somebody reads them, and skips formatting the ~500 traces per run
 * that nobody reads.
 *
 * Why: @pulumi/pulumi takes `new Error().stack` for EVERY promise it wraps (runtime/debuggable.js
 * debuggablePromise, `_debugStackTrace`), and `source-map-support` — which the SDK's runner installs in every
 * program (cmd/run/index.js) — maps every frame of each through the source maps: in a staging preview that
 * was about two thirds of the program's 0.6 s of trace formatting. Those traces are printed only when
 * PULUMI_DEBUG_PROMISE_LEAKS is set (debuggable.js leakedPromises → promiseDebugString); otherwise they are
 * never read.
 *
 * What stays mapped: every other trace — an error's `.stack` as printed, and the call sites the SDK sends with
 * each resource registration (resource.js Resource.callsites, the state's sourcePosition and stackTrace) —
 * still goes through source-map-support, so they name the TypeScript file and line exactly as before. With
 * PULUMI_DEBUG_PROMISE_LEAKS set nothing changes at all.
 */
const fs = require("node:fs");
const path = require("node:path");
const { frameIndexOf, frameIndexFileOf } = require("./sourcemap.js");

/** @typedef {import("./sourcemap.js").FrameIndex} FrameIndex */

const PREMAP = Symbol.for("slipway.mapBundleFrames");
const EMPTY_MAP = JSON.stringify({ version: 3, sources: [], names: [], mappings: "" });

const DEBUGGABLE = `${path.sep}@pulumi${path.sep}pulumi${path.sep}runtime${path.sep}debuggable.js`;

/**
 * Whether V8 is formatting the trace `debuggablePromise` takes for itself (its own frame on top).
 * @param {NodeJS.CallSite[]} frames
 */
function isPromiseBookkeeping(frames) {
  const top = frames[0];
  if (!top || top.getFunctionName() !== "debuggablePromise") return false;
  const file = top.getFileName();
  return typeof file === "string" && file.endsWith(DEBUGGABLE);
}

/**
 * What the unread trace says instead of its frames: formatting even V8's own text of ~500 traces cost a tenth
 * of a second, so it names the error and how to get the frames.
 * @param {Error} error
 */
function unformatted(error) {
  let head;
  try {
    head = String(error);
  } catch {
    head = "Error";
  }
  return `${head}\n    (stack not formatted: set PULUMI_DEBUG_PROMISE_LEAKS=1 to record where each promise was made)`;
}

/**
 * Installs the filter in front of whatever Error.prepareStackTrace is installed now (source-map-support's, in a
 * Pulumi program); does nothing when none is, or when the SDK was asked to report promise leaks.
 * @param {object} sdk `@pulumi/pulumi/runtime/debuggable`, whose own (internal) `debugPromiseLeaks` flag decides
 * @returns {boolean} whether it installed
 */
function skipUnreadPromiseTraces(sdk) {
  const mapped = Error.prepareStackTrace;
  if (!mapped || Reflect.get(sdk, "debugPromiseLeaks")) return false;
  Error.prepareStackTrace = function prepareStackTrace(error, frames) {
    return isPromiseBookkeeping(frames) ? unformatted(error) : mapped.call(this, error, frames);
  };
  return true;
}

/**
 * The frame index of a bundle (./sourcemap.js frameIndexOf): the one ./bundle.js wrote beside it, or else its
 * map decoded now; sources made absolute against the bundle's directory, as source-map-support resolves them.
 * @param {string} bundle
 * @returns {FrameIndex}
 */
function readFrameIndex(bundle) {
  /** @type {FrameIndex} */
  let index;
  try {
    index = JSON.parse(fs.readFileSync(frameIndexFileOf(bundle), "utf8"));
  } catch {
    index = frameIndexOf(fs.readFileSync(`${bundle}.map`, "utf8"));
  }
  const dir = path.dirname(bundle);
  return { ...index, sources: index.sources.map((s) => path.resolve(dir, s)) };
}

/**
 * The original position of a generated one, as source-map (0.6, which source-map-support uses) finds it:
 * the segment of the same generated line with the greatest column not after it; none, or one that maps
 * nothing, is no position.
 * @param {FrameIndex} index
 * @param {number} line 1-based, as V8 reports it
 * @param {number} column 1-based, as V8 reports it
 * @returns {{ source: string, line: number, column: number, name: string | undefined } | undefined}
 *   line 1-based, column 0-based (source-map's convention)
 */
function originalPosition(index, line, column) {
  const segments = index.lines[line - 1];
  if (!segments) return undefined;
  const col = column - 1;
  let lo = 0;
  let hi = segments.length / 5 - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((segments[mid * 5] ?? 0) <= col) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  const src = found < 0 ? -1 : (segments[found * 5 + 1] ?? -1);
  const source = index.sources[src];
  if (source === undefined) return undefined;
  const name = segments[found * 5 + 4] ?? -1;
  return { source, line: (segments[found * 5 + 2] ?? 0) + 1, column: segments[found * 5 + 3] ?? 0, name: name >= 0 ? index.names[name] : undefined };
}

/** @type {unique symbol} */
const FRAME = Symbol("frame");
/** @type {unique symbol} */
const ANSWERS = Symbol("answers");
/** @type {Record<string, Function> | undefined} every method of V8's CallSite, forwarding or answering */
let replacedProto;

/**
 * A call site with some of its answers replaced (keyed by method: `getFileName`, `getLineNumber`, …). The
 * methods live on its prototype, because that is where source-map-support's cloneCallSite looks for them.
 * @param {NodeJS.CallSite} frame
 * @param {Record<string, unknown>} answers
 * @returns {NodeJS.CallSite}
 */
function replacedCallSite(frame, answers) {
  if (!replacedProto) {
    const proto = /** @type {Record<string, Function>} */ ({});
    const callSite = /** @type {Record<string, unknown>} */ (Object.getPrototypeOf(frame));
    for (const name of Object.getOwnPropertyNames(callSite)) {
      const method = callSite[name];
      if (name === "constructor" || typeof method !== "function") continue;
      /** @this {{ [FRAME]: NodeJS.CallSite, [ANSWERS]: Record<string, unknown> }} @param {unknown[]} args */
      proto[name] = function answer(...args) {
        const own = this[ANSWERS];
        return Object.hasOwn(own, name) ? own[name] : method.apply(this[FRAME], args);
      };
    }
    replacedProto = proto;
  }
  const site = Object.create(replacedProto);
  site[FRAME] = frame;
  site[ANSWERS] = answers;
  return site;
}

/**
 * Maps the frames of slipway's bundles to the TypeScript sources before source-map-support formats a trace,
 * from an index written when the bundle was built; source-map-support is given an empty map for the bundles.
 *
 * Why: source-map-support parses a bundle's whole map with source-map 0.6 the first time a frame of it is
 * formatted (decode, then sort every mapping twice): ~0.07 s of the program's first registration, on the
 * critical path of every preview. Reading the decoded index is ~3 ms.
 *
 * What stays the same: every trace reads exactly as before. A mapped frame names the .ts file, line and column
 * source-map would give; an unmapped one (bundled packages, esbuild's helpers) keeps the bundle's position,
 * as it did; and the function name source-map-support takes from the next frame's mapping (its
 * `state.nextPosition.name`) is given the same way. Frames of other files (the SDK's) are left to
 * source-map-support as they were.
 * @returns {{ add: (bundle: string) => void }} `add` registers a bundle (its map is `<bundle>.map`)
 */
function mapBundleFrames() {
  const g = /** @type {Record<symbol, { add: (bundle: string) => void }>} */ (/** @type {unknown} */ (globalThis));
  const existing = g[PREMAP];
  if (existing) return existing;
  /** @type {Map<string, FrameIndex | undefined>} */
  const bundles = new Map();
  const record = {
    add(/** @type {string} */ bundle) {
      bundles.set(bundle, undefined);
      // V8 names a module's frames by the path node loaded it from, which is the real one (node_modules may
      // be a symlink); its map and index sit beside it either way.
      try {
        bundles.set(fs.realpathSync(bundle), undefined);
      } catch {
        // not there: nothing of it will be in a trace
      }
    },
  };
  g[PREMAP] = record;
  const formatter = Error.prepareStackTrace;
  if (!formatter) return record;
  try {
    // The copy @pulumi/pulumi's runner installed (cmd/run/index.js requires source-map-support/register).
    const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    const support = require(require.resolve("source-map-support", { paths: [sdk] }));
    support.install({
      retrieveSourceMap: (/** @type {string} */ source) => (bundles.has(source) ? { url: `${source}.map`, map: EMPTY_MAP } : null),
      handleUncaughtExceptions: false,
    });
  } catch {
    return record;
  }
  /** @param {string} bundle */
  const indexOf = (bundle) => {
    let index = bundles.get(bundle);
    if (!index) {
      index = readFrameIndex(bundle);
      bundles.set(bundle, index);
    }
    return index;
  };
  Error.prepareStackTrace = function prepareStackTrace(error, frames) {
    if (bundles.size === 0) return formatter.call(this, error, frames);
    /** @type {(ReturnType<typeof originalPosition>)[]} */
    const positions = frames.map((f) => {
      const file = f.getFileName();
      return file && bundles.has(file) && !f.isNative() ? originalPosition(indexOf(file), f.getLineNumber() ?? 0, f.getColumnNumber() ?? 0) : undefined;
    });
    const premapped = frames.map((f, i) => {
      const at = positions[i];
      const callerName = positions[i + 1]?.name;
      if (!at && callerName === undefined) return f;
      return replacedCallSite(f, {
        ...(at ? { getFileName: at.source, getScriptNameOrSourceURL: at.source, getLineNumber: at.line, getColumnNumber: at.column + 1 } : {}),
        ...(callerName !== undefined ? { getFunctionName: callerName } : {}),
      });
    });
    return formatter.call(this, error, premapped);
  };
  return record;
}

module.exports = { skipUnreadPromiseTraces, isPromiseBookkeeping, mapBundleFrames, originalPosition };
