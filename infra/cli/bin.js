#!/usr/bin/env node
// Entry point of `npx slipway`: tsx runs the TypeScript sources directly, as the Pulumi program does.
require("tsx/cjs");
require("./main.ts")
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
