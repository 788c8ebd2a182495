// @ts-check
"use strict";
/**
 * The bench's probe: `node --require` of this file in EVERY node process the engine starts during a measured
 * operation (the bench sets NODE_OPTIONS for its stacks only). It records, with wall-clock epoch times so the
 * processes can be put on one time line, where each process spends its start-up and its work:
 *   - inclusive load time of the modules that matter (@pulumi/pulumi's index, typescript, @npmcli/arborist,
 *     tsx, zod, the program's entry, the bundles);
 *   - time spent formatting stack traces (Error.prepareStackTrace, which source-map-support replaces);
 *   - gRPC calls: the program's ResourceMonitor requests (client side) and the plugin's provider methods
 *     (server side), count, total ms, first start and last end;
 *   - when the process first wrote to stdout (a plugin announces its port that way: "ready").
 * On exit it appends one JSON line to $SLIPWAY_PROBE_FILE. Not product code: nothing in infra/, stacks/ or
 * components/ knows it exists.
 */
const fs = require("node:fs");
const Module = require("node:module");
const nodePath = require("node:path");

const file = process.env.SLIPWAY_PROBE_FILE;
const origin = performance.timeOrigin;
const now = () => origin + performance.now();
const argv = process.argv.join(" ");
const role = /cmd[/\\]run/.test(argv) ? "program" : /cmd[/\\]dynamic-provider/.test(argv) ? "plugin" : "other";

/** @type {Record<string, { start: number, ms: number }>} */
const loads = {};
/** @type {Record<string, { n: number, ms: number, first: number, last: number }>} */
const rpc = {};
const traces = { n: 0, ms: 0 };
let ready = 0;
let entered = 0;
let grpcPatched = false;

/** @param {string} request @param {string} resolved @param {boolean} programParent */
function watched(request, resolved, programParent) {
  if (request === "@pulumi/pulumi") return "sdk";
  if (/typescript-shim$/.test(request) || request === "typescript") return "typescript";
  if (request === "@npmcli/arborist") return "arborist";
  if (request === "tsx/cjs/api" || request === "tsx/cjs" || request === "tsx") return "tsx";
  if (request === "zod") return "zod";
  if (resolved && programParent) return "entry";
  if (/[/\\]\.cache[/\\]slipway[/\\]/.test(resolved)) return `bundle:${resolved.replace(/.*[/\\]/, "").replace(/-.*/, "")}`;
  if (/\.provider\.ts$/.test(resolved)) return "providers(tsx)";
  return undefined;
}

const m = /** @type {any} */ (Module);
const load = m._load;
m._load = function probeLoad(/** @type {string} */ request, /** @type {any} */ parent) {
  // The program's entry is whatever @pulumi/pulumi's runner requires by absolute path (Pulumi.yaml `main`).
  const programParent = role === "program" && parent && typeof parent.filename === "string" && /cmd[/\\]run[/\\]run\.js$/.test(parent.filename);
  let key;
  try {
    // Only absolute requests are resolved (the entry, the bundles and tsx-loaded providers come that way):
    // resolving every relative require would slow every process down for the sake of measuring it.
    key = watched(request, nodePath.isAbsolute(request) ? request : "", programParent);
  } catch {
    key = undefined;
  }
  if (!entered && role === "program" && key === "entry") entered = now();
  if (!key || loads[key]) return afterLoad(request, parent, load.apply(this, arguments));
  const record = { start: now(), ms: -1 };
  loads[key] = record;
  try {
    return load.apply(this, arguments);
  } finally {
    // A deferred module comes back as a stand-in in no time; its real load later is timed when it happens.
    record.ms = now() - record.start;
  }
};

// Stack-trace formatting: whatever prepareStackTrace gets installed (source-map-support's, tsx's) is timed.
/** @type {((e: Error, s: NodeJS.CallSite[]) => unknown) | undefined} */
// A formatter may wrap the one installed before it (infra/boot/traces.js does): the wrapper handed out binds
// the formatter of that moment, and only the outermost call is counted, so nothing is timed twice.
let prepare = Error.prepareStackTrace;
let formatting = 0;
Object.defineProperty(Error, "prepareStackTrace", {
  configurable: true,
  get() {
    const fn = prepare;
    if (!fn) return undefined;
    /** @this {unknown} @param {Error} e @param {NodeJS.CallSite[]} s */
    return function timedPrepare(e, s) {
      if (formatting > 0) return fn.call(this, e, s);
      formatting++;
      const start = performance.now();
      try {
        return fn.call(this, e, s);
      } finally {
        formatting--;
        traces.n++;
        traces.ms += performance.now() - start;
      }
    };
  },
  set(fn) {
    prepare = fn;
  },
});

/** @param {string} name @param {number} start */
function recordRpc(name, start) {
  const end = now();
  const r = (rpc[name] ??= { n: 0, ms: 0, first: start, last: end });
  r.n++;
  r.ms += end - start;
  r.last = Math.max(r.last, end);
}

// gRPC: wrap the client's unary requests (program → engine) and the server's handlers (engine → plugin)
// once @grpc/grpc-js is loaded by whoever loads it.
const patchGrpc = (/** @type {any} */ grpc, /** @type {string} */ grpcDir) => {
  if (grpcPatched || !grpc || !grpc.Client || !grpc.Server) return;
  grpcPatched = true;
  // Generated clients bind Client.prototype.makeUnaryRequest when grpc-js loads, so the hook is on the
  // constructor factory the generated *_grpc_pb.js files call, wrapping each method of the class it returns.
  // The package index re-exports it through a getter, so the defining module is patched.
  const makeClient = require(require.resolve("./make-client", { paths: [grpcDir] }));
  const make = makeClient.makeClientConstructor;
  makeClient.makeClientConstructor = function (/** @type {any} */ methods, /** @type {any[]} */ ...rest) {
    const Ctor = make.call(this, methods, ...rest);
    for (const name of Object.keys(methods)) {
      const fn = Ctor.prototype[name];
      if (typeof fn !== "function" || methods[name].requestStream || methods[name].responseStream) continue;
      Ctor.prototype[name] = function (/** @type {any[]} */ ...args) {
        const start = now();
        const i = args.findLastIndex((a) => typeof a === "function");
        if (i >= 0) {
          const cb = args[i];
          args[i] = function (/** @type {any[]} */ ...res) {
            recordRpc(`client ${name}`, start);
            return cb.apply(this, res);
          };
        }
        return fn.apply(this, args);
      };
    }
    return Ctor;
  };
  const addService = grpc.Server.prototype.addService;
  grpc.Server.prototype.addService = function (/** @type {any} */ service, /** @type {any} */ impl) {
    /** @type {Record<string, Function>} */
    const wrapped = {};
    for (const name of Object.keys(service)) {
      const fn = impl[service[name].originalName ?? name] ?? impl[name];
      if (typeof fn !== "function") continue;
      wrapped[service[name].originalName ?? name] = function (/** @type {any} */ call, /** @type {Function} */ callback) {
        const start = now();
        return fn.call(impl, call, (/** @type {any[]} */ ...res) => {
          recordRpc(`server ${name}`, start);
          return callback(...res);
        });
      };
    }
    return addService.call(this, service, { ...wrapped });
  };
};
/** @param {string} request @param {any} parent @param {any} exports */
function afterLoad(request, parent, exports) {
  if (request === "@grpc/grpc-js" && !grpcPatched) patchGrpc(exports, nodePath.dirname(m._resolveFilename(request, parent, false)));
  return exports;
}

const write = process.stdout.write;
process.stdout.write = /** @type {typeof process.stdout.write} */ (
  function (/** @type {any[]} */ ...args) {
    if (!ready) ready = now();
    return write.apply(process.stdout, /** @type {any} */ (args));
  }
);

// The engine stops a plugin with SIGINT (then SIGKILL after 5 s); node's default would exit without the
// 'exit' event, and the line would be lost. Exiting the same way, on purpose, keeps it.
for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) {
  if (role === "plugin") process.once(signal, () => process.exit(signal === "SIGINT" ? 130 : 143));
}

process.on("exit", () => {
  if (!file || role === "other") return;
  const line = { role, pid: process.pid, start: origin, end: now(), ready, entered, loads, rpc, traces, cwd: process.cwd() };
  try {
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
  } catch {
    // the bench reads what is there; a lost line shows as a missing process, not a wrong number
  }
});
