// @ts-check
"use strict";
/**
 * Starts the dynamic-provider plugin while the program is still loading, instead of when the first dynamic
 * resource registers.
 *
 * Why: the engine starts a provider plugin only when it registers that package's default provider
 * (pulumi/pulumi pkg/resource/deploy/default_providers.go handleRequest → a `pulumi:providers:pulumi-nodejs`
 * registration, whose Check loads the plugin: pkg/resource/deploy/providers/registry.go Check →
 * loadProvider), and while it loads, the engine's step generator waits: every registration of the program,
 * components included, is answered only once the plugin is up. slipway's first dynamic resource registers
 * only after its modules load, the config is validated and the components are composed — about a second
 * after the program starts — and the plugin's own start (node, the SDK runtime: ~0.4 s) would then sit on
 * the path of every registration.
 *
 * How: an Invoke of a `pulumi-nodejs` token with no provider resolves that same default provider
 * (pkg/resource/deploy/source_eval.go resmon.Invoke → getProviderFromSource → the default-provider request
 * every dynamic resource makes: same package, no version), so the engine registers it and starts the plugin
 * now. The plugin answers the Invoke itself with "unknown function" (@pulumi/pulumi
 * cmd/dynamic-provider/index.js invoke), which is expected and ignored: only the side effect is wanted. The
 * provider resource is the one every slipway stack already has (its Release is a dynamic resource), with the
 * same URN, inputs and ID, so state sees no change; a real failure to start the plugin still surfaces at the
 * first dynamic resource, as before. One visible difference: the first `up` of a new stack that then fails on
 * its config leaves that default provider in state beside the Stack (engine bookkeeping; nothing on a
 * platform is touched, and the next `up` keeps it as it is).
 *
 * When: as early as the program's process can, from its preload (./program-preload.js, Pulumi.yaml
 * `nodeargs`), before @pulumi/pulumi's runner has loaded the SDK and connected (~0.7 s of the process's
 * start); the entry (infra/main.js) sends it through the SDK instead when no preload did.
 */
const path = require("node:path");

/** The token of the Invoke: any member of the package does; the plugin implements none. */
const WARM_UP_TOKEN = "pulumi-nodejs:dynamic:startPlugin";
const SENT = Symbol.for("slipway.dynamicProviderPluginStarted");

/** @returns {Record<symbol, boolean>} */
const flags = () => /** @type {Record<symbol, boolean>} */ (/** @type {unknown} */ (globalThis));

/**
 * The resource monitor's address from the arguments @pulumi/pulumi's runner is started with (the Node.js
 * language host passes `<sdk>/cmd/run --monitor <address> …`: pulumi/pulumi
 * sdk/nodejs/cmd/pulumi-language-nodejs/main.go constructArguments); undefined for any other process.
 * @param {readonly string[]} argv
 * @returns {string | undefined}
 */
function monitorAddressOf(argv) {
  const script = argv[1] ?? "";
  if (!/[/\\]@pulumi[/\\]pulumi[/\\]cmd[/\\]run([/\\](index\.js)?)?$/.test(script)) return undefined;
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--monitor") return argv[i + 1] || undefined;
    if (arg.startsWith("--monitor=")) return arg.slice("--monitor=".length) || undefined;
    // The runner stops reading its own flags at the program's path (minimist stopEarly): so does this.
    if (!arg.startsWith("--")) break;
  }
  return undefined;
}

/**
 * The Invoke as gRPC sends it over HTTP/2 (grpc/grpc doc/PROTOCOL-HTTP2.md): one length-prefixed message, not
 * compressed, holding a `pulumirpc.ResourceInvokeRequest` with only `tok` (field 1, a string: pulumi/pulumi
 * proto/pulumi/resource.proto; @pulumi/pulumi proto/resource_pb.js serializeBinaryToWriter writes it so).
 * @returns {Buffer}
 */
function warmUpInvokeBody() {
  const tok = Buffer.from(WARM_UP_TOKEN, "utf8");
  if (tok.length > 127) throw new Error("the warm-up token's length must fit one varint byte");
  const message = Buffer.concat([Buffer.from([(1 << 3) | 2, tok.length]), tok]);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

/**
 * Sends the Invoke over an HTTP/2 connection of its own and closes it when the engine answers, or after a
 * minute. Written against node:http2 rather than loaded from @grpc/grpc-js and the SDK's generated client:
 * those take ~0.15 s to load, and this request exists to be early; the answer is not read.
 * @param {string} address the resource monitor's address (host:port)
 * @returns {Promise<void>} settles once the call is over, however it ended
 */
function sendWarmUpInvoke(address) {
  const http2 = require("node:http2");
  return new Promise((resolve) => {
    const session = http2.connect(`http://${address}`);
    const end = () => {
      clearTimeout(timer);
      session.close();
      resolve();
    };
    const timer = setTimeout(() => {
      session.destroy();
      resolve();
    }, 60_000);
    session.on("error", end);
    const call = session.request({ ":method": "POST", ":path": "/pulumirpc.ResourceMonitor/Invoke", "content-type": "application/grpc", te: "trailers" });
    call.on("error", end);
    call.on("close", end);
    call.resume();
    call.end(warmUpInvokeBody());
  });
}

/**
 * From the program's preload: sends the Invoke from a worker thread, because this thread is about to spend the
 * next ~0.7 s loading @pulumi/pulumi's runner synchronously, and a gRPC request only leaves the process when
 * its event loop turns (connect, HTTP/2 settings, write). The worker is unref'd: it never keeps the program
 * alive. Returns whether it started; on any failure the entry sends the Invoke instead.
 * @param {readonly string[]} [argv]
 * @returns {boolean}
 */
function startFromPreload(argv = process.argv) {
  const { Worker, isMainThread } = require("node:worker_threads");
  // Preloads run in worker threads too (with an empty argv): only the program's own thread sends.
  const address = isMainThread ? monitorAddressOf(argv) : undefined;
  if (!address || flags()[SENT]) return false;
  try {
    // Its output stays unread (stdout/stderr: true): whatever the request might print about this side effect means nothing
    // to the user, and a real failure to start the plugin is reported at the first dynamic resource.
    const worker = new Worker(path.join(__dirname, "early-plugin-worker.js"), { workerData: { address }, stdout: true, stderr: true });
    worker.on("error", () => undefined);
    worker.unref();
  } catch {
    return false;
  }
  flags()[SENT] = true;
  return true;
}

/**
 * From the program's entry: sends the Invoke through the SDK unless the preload already did, without waiting
 * for its answer. Resolves after two turns of the event loop: the SDK sends the request only after a few
 * awaits of its own (runtime/invoke.js invokeAsync) and the gRPC write itself is flushed from the loop, while
 * what the caller does next — load and run the bundle — keeps the loop busy for a second.
 * @returns {Promise<void>}
 */
async function startDynamicProviderPlugin() {
  if (flags()[SENT]) return;
  flags()[SENT] = true;
  /** @type {typeof import("@pulumi/pulumi/runtime/invoke")} */
  const { invoke } = require("@pulumi/pulumi/runtime/invoke");
  invoke(WARM_UP_TOKEN, {}).catch(() => undefined);
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  await turn();
  await turn();
}

module.exports = { startDynamicProviderPlugin, startFromPreload, sendWarmUpInvoke, monitorAddressOf, WARM_UP_TOKEN };
