// @ts-check
"use strict";
// `node --require` this file in the dynamic-provider plugin (its launcher, infra/plugin/pulumi-resource-pulumi-nodejs,
// does): its modules compile from V8's code cache (./codecache.js cacheCompiledModules), @pulumi/pulumi's
// closure-serializer tooling stays unloaded (./defer.js) and the provider modules come from one bundle of the
// current sources (./providers.js).
const path = require("node:path");

const root = path.resolve(__dirname, "../..");
// Installed first, so that everything after it — the SDK, gRPC, protobuf, tsx — compiles from the cache.
const nodeModules = `${path.join(root, "node_modules")}${path.sep}`;
const bundles = `${path.join(root, "node_modules", ".cache")}${path.sep}`;
const compiled = require("./codecache.js").cacheCompiledModules({
  dir: path.join(root, "node_modules", ".cache", "slipway", "v8-modules"),
  include: (file) => file.startsWith(nodeModules) && !file.startsWith(bundles),
});
require("./defer.js").deferSdkTooling();
const providers = require("./providers.js").serveProvidersFromBundle(root);
/** Warms the providers, then writes the code cache of everything compiled without one until then. */
const warm = () => {
  providers.warm();
  compiled.flush();
};

/**
 * Loads the providers' bundle (./providers.js warm) once the engine has configured the plugin, not before.
 *
 * Why then: the program's preload has the engine start this plugin while the program itself is still loading
 * (./early-plugin.js), and until the plugin has answered the engine's handshake, CheckConfig and DiffConfig the
 * engine's step generator waits — every registration of the program, its Stack first, waits with it. After
 * Configure the engine only waits for the program; the first check comes when the program registers its first
 * dynamic resource, and the bundle (~0.15 s to load and run) is ready by then.
 *
 * How: the host (@pulumi/pulumi cmd/dynamic-provider/index.js) registers one service with grpc-js's
 * `Server.addService`; its `configure` is wrapped to warm after answering. Should the host register no
 * `configure`, the bundle loads when the plugin announces its port instead; either way, a first check that
 * comes sooner loads what it needs itself.
 */
function warmAfterConfigure() {
  let grpc;
  try {
    const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [root] }));
    grpc = /** @type {typeof import("@grpc/grpc-js")} */ (require(require.resolve("@grpc/grpc-js", { paths: [sdk] })));
  } catch {
    return warmOnAnnounce();
  }
  const Server = grpc.Server.prototype;
  const addService = Server.addService;
  Server.addService = function addServiceWarmingAfterConfigure(service, implementation) {
    Server.addService = addService;
    const impl = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (implementation));
    const configure = impl.configure;
    if (typeof configure !== "function") {
      warmOnAnnounce();
      return addService.call(this, service, implementation);
    }
    const wrapped = new Proxy(impl, {
      get(target, prop) {
        if (prop !== "configure") return Reflect.get(target, prop);
        return function configureThenWarm(/** @type {unknown} */ call, /** @type {(...a: unknown[]) => void} */ callback) {
          return configure.call(target, call, (/** @type {unknown[]} */ ...answer) => {
            callback(...answer);
            setImmediate(warm);
          });
        };
      },
    });
    return addService.call(this, service, /** @type {typeof implementation} */ (/** @type {unknown} */ (wrapped)));
  };
}

/** The host announces its port with its first write to stdout: warm on the next turn after it. */
function warmOnAnnounce() {
  const write = process.stdout.write;
  process.stdout.write = /** @type {typeof process.stdout.write} */ (
    function announce(/** @type {any[]} */ ...args) {
      process.stdout.write = write;
      const written = write.apply(process.stdout, /** @type {any} */ (args));
      setImmediate(warm);
      return written;
    }
  );
}

warmAfterConfigure();
