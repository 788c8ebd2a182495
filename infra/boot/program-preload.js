// @ts-check
"use strict";
// `node --require` this file in the program's process (Pulumi.yaml `nodeargs`; the language host runs node in
// the program's directory, infra/, so the path there is relative to it): it has the engine start the
// dynamic-provider plugin before @pulumi/pulumi's runner loads (./early-plugin.js says why), so the plugin
// is up by the time the program registers its first resource.
require("./early-plugin.js").startFromPreload();
