import { accessSync, constants } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";

/**
 * The `pulumi` CLI the user has, found the way a shell and the Automation API find it — never a copy slipway
 * built for its own tests. The CLI then runs with the user's PULUMI_HOME, backend, passphrase and plugin
 * acquisition: whatever the environment says, slipway passes through unchanged.
 *
 * Looked for, in order:
 *   1. `pulumi` on PATH — what `pulumi/actions` installs in CI, and what a shell install puts there;
 *   2. `~/.pulumi/bin/pulumi` — where https://get.pulumi.com/install.sh installs (PATH set only in new shells);
 *   3. `~/.pulumi/versions/<sdk version>/bin/pulumi` — where the Automation API's `PulumiCommand.install()` puts it.
 */

/** The message when there is no pulumi at all: what to run, for a laptop and for CI. */
export function noPulumiMessage(looked: readonly string[]): string {
  return [
    "no pulumi CLI found (looked on PATH and in " + looked.join(", ") + ").",
    "Install it: curl -fsSL https://get.pulumi.com | sh   (or: brew install pulumi/tap/pulumi)",
    "In GitHub Actions: - uses: pulumi/actions@v6",
  ].join("\n");
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `pulumi` on `searchPath`, or undefined. */
export function onPath(searchPath: string | undefined): string | undefined {
  for (const dir of (searchPath ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, "pulumi");
    if (executable(file)) return file;
  }
  return undefined;
}

/** The @pulumi/pulumi version this program is written against (names the Automation API's install dir). */
function sdkVersion(): string {
  return (require("@pulumi/pulumi/package.json") as { version: string }).version;
}

/** Where a pulumi CLI would be when it is not on PATH. */
export function fallbackRoots(home = homedir()): string[] {
  return [path.join(home, ".pulumi"), path.join(home, ".pulumi", "versions", sdkVersion())];
}

/**
 * The Automation API's handle on the user's pulumi. `env` is the environment the CLI will run with (its PATH
 * decides, as it would for `pulumi` typed in that shell). Throws {@link noPulumiMessage} when there is none.
 */
export async function userPulumi(env: Readonly<Record<string, string | undefined>> = process.env): Promise<PulumiCommand> {
  const found = onPath(env.PATH);
  // PulumiCommand runs `<root>/bin/pulumi`; a binary outside a bin/ directory is run by name from PATH.
  if (found) return path.basename(path.dirname(found)) === "bin" ? PulumiCommand.get({ root: path.dirname(path.dirname(found)) }) : PulumiCommand.get();
  const roots = fallbackRoots(env.HOME || homedir());
  for (const root of roots) if (executable(path.join(root, "bin", "pulumi"))) return PulumiCommand.get({ root });
  throw new Error(noPulumiMessage(roots.map((r) => path.join(r, "bin"))));
}
