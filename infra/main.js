// @ts-check
"use strict";
/**
 * The program's entry (Pulumi.yaml `main`): plain JavaScript, so node starts it without a TypeScript loader.
 * It defers the SDK's closure-serializer tooling (./boot/defer.js), leaves unmapped the promise traces nobody
 * reads and maps the bundle's frames from a decoded index (./boot/traces.js), has the engine start the
 * dynamic-provider plugin unless the program's preload already did (./boot/early-plugin.js), then runs
 * infra/index.ts from a bundle that is rebuilt whenever any source changed (./boot/bundle.js) — `pulumi up`
 * always runs the current code.
 *
 * The export is a function, which @pulumi/pulumi's runner calls and awaits (cmd/run/run.js): the stack's
 * outputs are the bundle's exports, as before, and an Invoke sent from here leaves this process before the
 * bundle's synchronous load and composition hold the event loop for the next second.
 */
const path = require("node:path");

require("./boot/defer.js").deferSdkTooling();
const traces = require("./boot/traces.js");
// Installed first, so the filter in front of it skips the unread traces before any frame is mapped.
const bundleFrames = traces.mapBundleFrames();
traces.skipUnreadPromiseTraces(require("@pulumi/pulumi/runtime/debuggable"));

module.exports = async () => {
  await require("./boot/early-plugin.js").startDynamicProviderPlugin();
  return require("./boot/bundle.js").requireBundled({ root: path.resolve(__dirname, ".."), entry: "infra/index.ts", name: "program", beforeLoad: bundleFrames.add });
};
