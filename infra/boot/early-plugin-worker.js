// @ts-check
"use strict";
// The worker thread ./early-plugin.js startFromPreload runs: sends the Invoke that has the engine start the
// dynamic-provider plugin, and ends when the engine answers. A failure is ignored: the first dynamic resource
// starts the plugin anyway, and reports a real failure to start it.
const { workerData } = require("node:worker_threads");

require("./early-plugin.js")
  .sendWarmUpInvoke(String(workerData.address))
  .catch(() => undefined);
