// @ts-check
"use strict";
// `node --require` this file to defer @pulumi/pulumi's closure-serializer tooling in a process from its start
// (the dynamic-provider plugin's launcher does: infra/plugin/pulumi-resource-pulumi-nodejs). See ./defer.js.
require("./defer.js").deferSdkTooling();
