import * as pulumi from "@pulumi/pulumi";

/**
 * The provider implementations live in ordinary TypeScript modules (`components/<platform>/*.provider.ts`)
 * that export a `pulumi.dynamic.ResourceProvider`. What the engine serializes into each resource's state
 * is only the small loader below: the module's path relative to the project root and the export name.
 *
 * Why not let Pulumi serialize the implementation itself: closure serialization copies every local
 * module a provider touches (the API client, zod schemas, retry policy) into every resource's state,
 * breaks on classes and ESM-only packages, and freezes old code into old resources. A loader keeps
 * state small, keeps secrets and clients out of it, and lets a fixed provider serve resources created
 * by an earlier one (the dynamic-provider host no longer replaces resources when the provider changes).
 *
 * The dynamic-provider plugin runs in the program's directory, which the engine derives from Pulumi.yaml's
 * `main`: with `main: infra/index.ts` that is `infra/`, not the project root (pkg/engine/project.go
 * getPwdMain). So the root is the nearest directory at or above `process.cwd()` holding a Pulumi.yaml, and the
 * module is resolved from there; tsx loads it without a build step. `SLIPWAY_PROJECT_DIR` overrides the root
 * for tools that run elsewhere.
 */
export function lazyProvider(modulePath: string, exportName: string): pulumi.dynamic.ResourceProvider {
  // Everything below is serialized: it may only use its arguments, `require` and `process`.
  const load = (): pulumi.dynamic.ResourceProvider => {
    const nodePath = require("path");
    const fs = require("fs");
    let root: string = process.env.SLIPWAY_PROJECT_DIR || process.cwd();
    if (!process.env.SLIPWAY_PROJECT_DIR) {
      for (let dir = root; ; dir = nodePath.dirname(dir)) {
        if (fs.existsSync(nodePath.join(dir, "Pulumi.yaml"))) {
          root = dir;
          break;
        }
        if (nodePath.dirname(dir) === dir) break; // no Pulumi.yaml above: keep the working directory
      }
    }
    const file: string = nodePath.resolve(root, modulePath);
    const tsx = require("tsx/cjs/api");
    const loaded = tsx.require(file, nodePath.join(root, "package.json"));
    const provider = loaded[exportName];
    if (!provider) {
      throw new Error(`slipway: ${modulePath} does not export the dynamic provider "${exportName}"`);
    }
    return provider;
  };
  return {
    check: (olds, news) => {
      const p = load();
      return p.check ? p.check(olds, news) : Promise.resolve({ inputs: news });
    },
    diff: (id, olds, news) => {
      const p = load();
      return p.diff ? p.diff(id, olds, news) : Promise.resolve({});
    },
    create: (inputs) => load().create(inputs),
    read: async (id, props) => {
      const p = load();
      const result = p.read ? await p.read(id, props) : { id, props };
      // The plugin encodes props as a protobuf Struct, which throws "Unexpected struct type." on `undefined`;
      // a read maps optional API fields to undefined, so drop them (JSON has no undefined either).
      const plain = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));
      return { ...result, props: plain(result.props), inputs: plain(result.inputs) };
    },
    update: (id, olds, news) => {
      const p = load();
      if (!p.update) throw new Error(`slipway: ${modulePath}#${exportName} cannot update in place`);
      return p.update(id, olds, news);
    },
    delete: (id, props) => {
      const p = load();
      return p.delete ? p.delete(id, props) : Promise.resolve();
    },
  };
}
