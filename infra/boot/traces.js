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
const path = require("node:path");

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

module.exports = { skipUnreadPromiseTraces, isPromiseBookkeeping };
