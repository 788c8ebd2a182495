import { chmodSync, copyFileSync, linkSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { engineManifest } from "../../scripts/engine";

/**
 * pulumi installed the way a user has it, for tests that run slipway as a user would: the binaries a pulumi
 * release ships (the CLI, the Node.js language host, the dynamic-provider plugin) in a directory of their own
 * that goes on PATH, a fresh PULUMI_HOME, and nothing of slipway's engine cache on PATH or in the environment.
 * The binaries are this machine's offline build (there is no internet to download a release from); they are
 * linked or copied out of the cache so nothing points back into it.
 */
export interface UserPulumi {
  binDir: string;
  home: string;
  /** `base` without any slipway engine setting, plus this install's PATH and PULUMI_HOME. */
  env(base: Record<string, string | undefined>): Record<string, string>;
  remove(): void;
}

const SHIPPED = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"];
/** What scripts/engine.ts engineEnv sets for the rig, and a user's machine does not. */
const RIG_ONLY = ["PULUMI_HOME", "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", "PULUMI_SKIP_CONFIRMATIONS", "SLIPWAY_CACHE"];

export function installUserPulumi(): UserPulumi {
  const cache = engineManifest();
  const root = mkdtempSync(path.join(tmpdir(), "slipway-user-pulumi-"));
  const binDir = path.join(root, "pulumi", "bin");
  const home = path.join(root, "home", ".pulumi");
  mkdirSync(binDir, { recursive: true });
  mkdirSync(home, { recursive: true });
  for (const name of SHIPPED) {
    const from = path.join(cache.binDir, name);
    const to = path.join(binDir, name);
    try {
      linkSync(from, to);
    } catch {
      copyFileSync(from, to);
      chmodSync(to, 0o755);
    }
  }
  return {
    binDir,
    home,
    env(base) {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(base)) if (v !== undefined && !RIG_ONLY.includes(k)) out[k] = v;
      const systemPath = (base.PATH ?? "").split(path.delimiter).filter((d) => d && !d.startsWith(cache.cache));
      out.PATH = [binDir, ...systemPath].join(path.delimiter);
      out.PULUMI_HOME = home;
      return out;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
