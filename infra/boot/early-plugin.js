// @ts-check
"use strict";
/**
 * Starts the dynamic-provider plugin while the program is still loading, instead of when the first dynamic
 * resource registers.
 *
 * Why: the engine starts a provider plugin only when it registers that package's default provider
 * (pulumi/pulumi pkg/resource/deploy/default_providers.go handleRequest → a `pulumi:providers:pulumi-nodejs`
 * registration, whose Check loads the plugin: pkg/resource/deploy/providers/registry.go Check →
 * loadProvider). slipway's first dynamic resource registers only after its modules load, the config is
 * validated and the components are composed — about a second after the program starts — and the plugin's
 * own start (node, the SDK runtime) then sits on the path of every check and diff.
 *
 * How: an Invoke of a `pulumi-nodejs` token with no provider resolves that same default provider
 * (pkg/resource/deploy/source_eval.go resmon.Invoke → getProviderFromSource → the default-provider request
 * every dynamic resource makes: same package, no version), so the engine registers it and starts the plugin
 * now. The plugin answers the Invoke itself with "unknown function" (@pulumi/pulumi
 * cmd/dynamic-provider/index.js invoke), which is expected and ignored: only the side effect is wanted. The
 * provider resource is the one every slipway stack already has (its Release is a dynamic resource), with the
 * same URN, inputs and ID, so state sees no change; a real failure to start the plugin still surfaces at the
 * first dynamic resource, as before. One visible difference: the first `up` of a new stack that then fails on
 * its config leaves that default provider in state beside the Stack (engine bookkeeping; nothing on a
 * platform is touched, and the next `up` keeps it as it is).
 */

/** The token of the Invoke: any member of the package does; the plugin implements none. */
const WARM_UP_TOKEN = "pulumi-nodejs:dynamic:startPlugin";

/**
 * Sends the Invoke without waiting for its answer. Must run inside the program (the runner has connected to the
 * engine). Resolves after two turns of the event loop: the SDK sends the request only after a few awaits of its
 * own (runtime/invoke.js invokeAsync) and the gRPC write itself is flushed from the loop, while what the caller
 * does next — load and run the bundle — keeps the loop busy for a second.
 * @returns {Promise<void>}
 */
async function startDynamicProviderPlugin() {
  /** @type {typeof import("@pulumi/pulumi/runtime/invoke")} */
  const { invoke } = require("@pulumi/pulumi/runtime/invoke");
  invoke(WARM_UP_TOKEN, {}).catch(() => undefined);
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  await turn();
  await turn();
}

module.exports = { startDynamicProviderPlugin, WARM_UP_TOKEN };
