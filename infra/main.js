// @ts-check
"use strict";
/**
 * The program's entry (Pulumi.yaml `main`): plain JavaScript, so node starts it without a TypeScript loader.
 * It defers the SDK's closure-serializer tooling (./boot/defer.js), then runs infra/index.ts from a bundle that
 * is rebuilt whenever any source changed (./boot/bundle.js) — `pulumi up` always runs the current code.
 */
const path = require("node:path");

require("./boot/defer.js").deferSdkTooling();
module.exports = require("./boot/bundle.js").requireBundled({ root: path.resolve(__dirname, ".."), entry: "infra/index.ts", name: "program" });
