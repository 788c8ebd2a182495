#!/usr/bin/env node
// @ts-check
"use strict";
/**
 * Entry point of `npx slipway`. Like the program's entry (../main.js), it runs the TypeScript sources from one
 * esbuild bundle that is rebuilt whenever any source changed (../boot/bundle.js: nothing stale, no build step),
 * with @pulumi/pulumi's closure-serializer tooling deferred (../boot/defer.js): the Automation API loads the
 * SDK's runtime, whose index requires typescript and @npmcli/arborist that the CLI never uses. Under tsx that
 * start-up took about 2 s of CPU before the first `pulumi` command; from the bundle it takes a fraction.
 *
 * The bundle lives in node_modules/.cache, so its own directory says nothing about the project: the project
 * root (this file's ../..) is handed to infra/cli/workspace.ts under a global symbol.
 */
const path = require("node:path");

const root = path.resolve(__dirname, "../..");
/** @type {Record<symbol, unknown>} */ (/** @type {unknown} */ (globalThis))[Symbol.for("slipway.cli.projectDir")] = root;
require("../boot/defer.js").deferSdkTooling();
/** @type {typeof import("./main")} */
const cli = /** @type {any} */ (require("../boot/bundle.js").requireBundled({ root, entry: "infra/cli/main.ts", name: "cli" }));
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
