// @ts-check
"use strict";
// `node --require` this file in the dynamic-provider plugin (its launcher, infra/plugin/pulumi-resource-pulumi-nodejs,
// does): @pulumi/pulumi's closure-serializer tooling stays unloaded (./defer.js) and the provider modules come
// from one bundle of the current sources (./providers.js).
const path = require("node:path");

require("./defer.js").deferSdkTooling();
require("./providers.js").serveProvidersFromBundle(path.resolve(__dirname, "../.."));
