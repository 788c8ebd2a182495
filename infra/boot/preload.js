// @ts-check
"use strict";
// `node --require` this file in the dynamic-provider plugin (its launcher, infra/plugin/pulumi-resource-pulumi-nodejs,
// does): @pulumi/pulumi's closure-serializer tooling stays unloaded (./defer.js) and the provider modules come
// from one bundle of the current sources (./providers.js).
const path = require("node:path");

require("./defer.js").deferSdkTooling();
const providers = require("./providers.js").serveProvidersFromBundle(path.resolve(__dirname, "../.."));

// The host announces its port with its first write to stdout; the engine's handshake and configure follow, and
// the first check comes only when the program registers its first dynamic resource. That gap is when the
// providers' bundle loads (./providers.js warm), not inside the first check.
const write = process.stdout.write;
process.stdout.write = /** @type {typeof process.stdout.write} */ (
  function announce(/** @type {any[]} */ ...args) {
    process.stdout.write = write;
    const written = write.apply(process.stdout, /** @type {any} */ (args));
    setImmediate(providers.warm);
    return written;
  }
);
