import { mkdtempSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { EngineStack } from "../../test/e2e/harness";
import type { Emulators } from "../../test/e2e/stacks";
import { LOCAL_PASSPHRASE, repoRoot } from "../engine";

/**
 * Runs the operations CLI (infra/cli/main.ts) in-process against a harness stack, so the sandbox and the bench
 * show and time the real `slipway deploy` / `slipway rollback`, not a re-implementation of them.
 *
 * The CLI takes everything from the process environment, as it does for an operator: the project dir, the
 * backend, the passphrase, the platform URLs/tokens, and SLIPWAY_RESOLVE so the health gate reaches the app's
 * real public URL on the emulator.
 *
 * infra/cli/workspace.ts reads SLIPWAY_PROJECT_DIR once, when it is first imported — and test/e2e/stacks.ts
 * imports it (via commands/pr) long before the harness has made the stack's temp project dir. So the entry
 * scripts call {@link reserveProjectDir} before importing anything, pointing the CLI at a path that does not
 * exist yet; {@link cliFor} then makes it a symlink to the stack's mirrored project.
 */

/**
 * Sets SLIPWAY_PROJECT_DIR to a fresh temp symlink; call before anything imports infra/cli/workspace.ts.
 * Every engine started from this process inherits the variable (components/dynamic.ts finds the provider
 * modules under it), so the link points at the repository until {@link cliFor} re-points it.
 */
export function reserveProjectDir(): string {
  const link = path.join(mkdtempSync(path.join(tmpdir(), "slipway-cli-")), "project");
  symlinkSync(repoRoot, link);
  process.env.SLIPWAY_PROJECT_DIR = link;
  return link;
}

export interface CliRun {
  code: number;
  /** What the CLI printed as results (stdout in a terminal). */
  printed: string[];
}

export type CliMain = (argv: readonly string[], log: (l: string) => void, print: (l: string) => void) => Promise<number>;

let loaded: { main: CliMain; dir: string } | undefined;

/** Points the CLI at `stack`'s mirrored project and backend, and returns its `main`. Once per process. */
export async function cliFor(stack: EngineStack, emulators: Emulators, resolveHosts: readonly string[]): Promise<CliMain> {
  if (loaded) {
    if (loaded.dir !== stack.workDir) throw new Error("cliFor: the CLI reads SLIPWAY_PROJECT_DIR once; one project dir per process");
    return loaded.main;
  }
  const { PROJECT_DIR } = await import("../../infra/cli/workspace");
  if (PROJECT_DIR !== process.env.SLIPWAY_PROJECT_DIR) {
    throw new Error(`cliFor: the CLI already points at ${PROJECT_DIR}; call reserveProjectDir() before importing the CLI`);
  }
  // Re-pointed by rename, so the link never disappears under an engine that is reading through it.
  const next = `${PROJECT_DIR}.next`;
  symlinkSync(stack.workDir, next);
  renameSync(next, PROJECT_DIR);
  const coolifyPort = new URL(emulators.coolify.origin).port;
  // The CLI uses whatever pulumi the environment offers, as for a user: here the offline engine is handed in
  // through the harness's environment (its bin dir first on PATH, its PULUMI_HOME, no plugin downloads).
  Object.assign(process.env, stack.env, emulators.env, {
    PULUMI_BACKEND_URL: `file://${stack.backendDir}`,
    // Fixed, local-only: this backend is a temp dir holding throwaway values, never a real stack.
    PULUMI_CONFIG_PASSPHRASE: LOCAL_PASSPHRASE,
    // Engines started by the CLI carry the harness's marker, so cleanup finds them too.
    SLIPWAY_E2E_MARKER: stack.marker,
    SLIPWAY_RESOLVE: resolveHosts.map((h) => `${h}:127.0.0.1:${coolifyPort}`).join(","),
    // The gate's production defaults (10 × 6 s) are for real DNS and TLS; the emulator answers at once.
    SLIPWAY_HEALTH_ATTEMPTS: "20",
    SLIPWAY_HEALTH_INTERVAL_MS: "500",
    SLIPWAY_HEALTH_TIMEOUT_MS: "5000",
  });
  const mod = (await import("../../infra/cli/main")) as { main: CliMain };
  loaded = { main: mod.main, dir: stack.workDir };
  return mod.main;
}

/** Runs one CLI command; `log` gets the engine's progress, the returned `printed` the CLI's results. */
export async function runCli(main: CliMain, argv: readonly string[], log: (line: string) => void): Promise<CliRun> {
  const printed: string[] = [];
  const code = await main(argv, log, (l) => {
    printed.push(l);
  });
  return { code, printed };
}

/** The CLI's own `preview --diff` (infra/cli/commands/preview.ts), structured; only after {@link cliFor}. */
export async function cliPreview(stackName: string, log: (line: string) => void): Promise<import("../../infra/cli/markdown").PreviewReport> {
  if (!loaded) throw new Error("cliPreview: call cliFor first, so the CLI reads the sandbox's project dir");
  const { previewStack } = await import("../../infra/cli/commands/preview");
  return previewStack(stackName, log);
}

/** Removes the temp dir {@link reserveProjectDir} made (the symlink only; the project is the harness's). */
export function releaseProjectDir(): void {
  const link = process.env.SLIPWAY_PROJECT_DIR;
  if (link && path.basename(path.dirname(link)).startsWith("slipway-cli-")) rmSync(path.dirname(link), { recursive: true, force: true });
}
