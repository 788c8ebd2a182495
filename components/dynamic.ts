import * as pulumi from "@pulumi/pulumi";
import { loaderText } from "./provider/loader-text";
import type { ProviderKey } from "./provider/registry";

/** Where the registry lives, relative to the project root. States hold this path: it never moves. */
export const REGISTRY_MODULE = "components/provider/registry.ts";

/**
 * What each dynamic resource passes to `pulumi.dynamic.Resource`: a small loader that the engine serializes
 * into the resource's state, holding only the provider's logical key (`coolify:application`) and the registry's
 * path. In the provider process it reads the registry (components/provider/registry.ts), which names the
 * module and export that implement the key, and delegates every call to that provider.
 *
 * Why a loader and not the implementation: closure serialization would copy every local module a provider
 * touches (the API client, zod schemas, retry policy) into every resource's state, breaks on classes and
 * ESM-only packages, and freezes old code into old resources. Why a key and not the module path (what states
 * written before keys hold; see LEGACY_PROVIDER_PATHS in the registry): a path in state breaks refresh and delete of every existing stack the day the file moves;
 * a key is resolved through the one registry, where a move is a one-line change.
 *
 * The dynamic-provider plugin runs in the program's directory, which the engine derives from Pulumi.yaml's
 * `main`: with `main: infra/index.ts` that is `infra/`, not the project root (pkg/engine/project.go
 * getPwdMain). So the root is the nearest directory at or above `process.cwd()` holding a Pulumi.yaml, and
 * modules are resolved from there; tsx loads them without a build step. `SLIPWAY_PROJECT_DIR` overrides the root
 * for tools that run elsewhere.
 */
export function providerFor(key: ProviderKey): pulumi.dynamic.ResourceProvider {
  return registeredProvider(REGISTRY_MODULE, key);
}

/**
 * `providerFor` with another registry module (relative to the project root): for projects other than slipway's
 * own, such as the engine test's fixture. The registry module exports `PROVIDERS: Record<key, {module, export}>`.
 */
export function registeredProvider(registryModule: string, key: string): pulumi.dynamic.ResourceProvider {
  // Everything below is serialized: it may only use its arguments, `require` and `process`. Keep it small and
  // free of anything that varies between runs: its text is stored with every resource.
  const load = (): pulumi.dynamic.ResourceProvider => {
    const nodePath = require("path");
    const fs = require("fs");
    // No Pulumi.yaml at or above the working directory: the working directory is the root.
    let root: string = process.env.SLIPWAY_PROJECT_DIR || process.cwd();
    if (!process.env.SLIPWAY_PROJECT_DIR) {
      for (let dir = root; ; dir = nodePath.dirname(dir)) {
        if (fs.existsSync(nodePath.join(dir, "Pulumi.yaml"))) {
          root = dir;
          break;
        }
        if (nodePath.dirname(dir) === dir) break;
      }
    }
    const tsx = require("tsx/cjs/api");
    const parent = nodePath.join(root, "package.json");
    const entry = tsx.require(nodePath.resolve(root, registryModule), parent).PROVIDERS[key];
    if (!entry) throw new Error(`slipway: no dynamic provider "${key}" in ${registryModule} (named by this resource's state)`);
    const provider = tsx.require(nodePath.resolve(root, entry.module), parent)[entry.export];
    if (!provider) throw new Error(`slipway: ${entry.module} does not export the dynamic provider "${entry.export}" (${key})`);
    return provider;
  };
  // Named so that no name inside the loader is shadowed: the transpiler would rename the inner one, and the
  // serialized text (test/unit/components/provider/loader-text.test.ts) with it.
  const methods: pulumi.dynamic.ResourceProvider = {
    check: (olds, news) => {
      const p = load();
      return p.check ? p.check(olds, news) : Promise.resolve({ inputs: news });
    },
    diff: (id, olds, news) => {
      const p = load();
      return p.diff ? p.diff(id, olds, news) : Promise.resolve({});
    },
    create: (inputs) => load().create(inputs),
    // The plugin encodes props as a protobuf Struct, which throws "Unexpected struct type." on `undefined`;
    // a read maps optional API fields to undefined, so they are dropped (JSON has no undefined either).
    read: async (id, props) => {
      const p = load();
      const result = p.read ? await p.read(id, props) : { id, props };
      const plain = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));
      return { ...result, props: plain(result.props), inputs: plain(result.inputs) };
    },
    update: (id, olds, news) => {
      const p = load();
      if (!p.update) throw new Error(`slipway: ${key} cannot update in place`);
      return p.update(id, olds, news);
    },
    delete: (id, props) => {
      const p = load();
      return p.delete ? p.delete(id, props) : Promise.resolve();
    },
  };
  LOADER_TEXTS.set(methods, loaderText(registryModule, key));
  return methods;
}

/** The `__provider` text of each loader registeredProvider() made: what Pulumi's serializer would write for it. */
const LOADER_TEXTS = new WeakMap<pulumi.dynamic.ResourceProvider, string>();

/**
 * `pulumi.dynamic.Resource` without running Pulumi's closure serializer: the same resource (type
 * `pulumi-nodejs:dynamic[/module]:Type`, the loader's text as `__provider`), with that text written from
 * components/provider/loader-text.ts. The serializer would load typescript (9 MB) and parse the loader once per
 * key, most of a second of every preview; the text is the same byte for byte
 * (test/unit/components/provider/loader-text.test.ts), so existing states see no change.
 */
export class DynamicResource extends pulumi.CustomResource {
  constructor(
    provider: pulumi.dynamic.ResourceProvider,
    name: string,
    props: pulumi.Inputs,
    opts?: pulumi.CustomResourceOptions,
    module?: string,
    type = "Resource",
  ) {
    const text = LOADER_TEXTS.get(provider);
    if (text === undefined) throw new Error(`slipway: ${name}: a DynamicResource takes a provider made by providerFor() or registeredProvider()`);
    if (props.__provider !== undefined) throw new Error("A dynamic resource must not define the __provider key");
    super(`pulumi-nodejs:dynamic${module ? `/${module}` : ""}:${type}`, name, { ...props, __provider: text }, opts);
  }
}
