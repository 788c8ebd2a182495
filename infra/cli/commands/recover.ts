import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { releaseAllLocks } from "../lock";
import { parseDeployment, pendingMessage, pendingOperations, providerOf, recoverStack, type Deployment, type FindsOwn, type PendingOperation } from "../recover";
import { openStack, plain, PROJECT_DIR, type Log } from "../workspace";

const run = promisify(execFile);

/** The `pulumi` the stack's workspace runs, with its environment: for the two calls Automation cannot make. */
async function pulumi(stack: Stack, args: string[]): Promise<string> {
  const ws = stack.workspace;
  if (!(ws instanceof LocalWorkspace)) throw new Error("slipway recover needs a local workspace");
  const env = { ...process.env, ...ws.envVars, ...(ws.pulumiHome ? { PULUMI_HOME: ws.pulumiHome } : {}) };
  const { stdout } = await run(ws.pulumiCommand.command, [...args, "--stack", stack.name, "--non-interactive"], {
    cwd: ws.workDir,
    env,
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout;
}

/** Secrets in a `--show-secrets` export are `{ <sig>: …, plaintext: "<json>" }`; the providers want the values. */
export function revealed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revealed);
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if ("4dabf18193072939515e22adb298388d" in o && typeof o.plaintext === "string") return revealed(JSON.parse(o.plaintext));
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, revealed(v)]));
  }
  return value;
}

/** Loads the provider module a pending create would have run, the way the engine's loader does. */
async function finderFor(op: PendingOperation): Promise<FindsOwn | undefined> {
  const where = providerOf(op.resource.inputs);
  if (!where) return undefined;
  const tsx = require("tsx/cjs/api") as { require: (file: string, from: string) => Record<string, unknown> };
  const provider = tsx.require(path.resolve(PROJECT_DIR, where.modulePath), path.join(PROJECT_DIR, "package.json"))[where.exportName] as
    | Partial<FindsOwn>
    | undefined;
  if (typeof provider?.findOwn !== "function") return undefined;
  const findOwn = provider.findOwn.bind(provider);
  return {
    findOwn: async (inputs) => {
      const { __provider: _loader, ...rest } = revealed(inputs) as Record<string, unknown>;
      return findOwn(rest);
    },
  };
}

/** `slipway recover <stack>`: clears the locks of a killed run and resolves its pending operations. */
export async function recoverCommand(stackName: string, log: Log, print: Log): Promise<number> {
  const { stack } = await openStack(stackName);
  const report = await recoverStack(stackName, {
    releaseLocks: () => releaseAllLocks(stack),
    cancel: async () => {
      await stack.cancel();
      return true;
    },
    // With secrets (Automation's export always shows them), kept in memory for the providers' look-ups.
    exportState: async (showSecrets) =>
      parseDeployment(showSecrets ? await stack.exportStack() : JSON.parse(await pulumi(stack, ["stack", "export"]))),
    importState: async (state: Deployment) => {
      // The encrypted export goes back: nothing in plaintext touches the disk.
      const dir = mkdtempSync(path.join(tmpdir(), "slipway-recover-"));
      try {
        const file = path.join(dir, "state.json");
        writeFileSync(file, JSON.stringify(state), { mode: 0o600 });
        await pulumi(stack, ["stack", "import", "--file", file]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    refresh: async () => {
      await stack.refresh({ color: "never", onOutput: (o) => log(plain(o).trimEnd()) });
    },
    finderFor,
  });
  report.lines.forEach((l) => print(l));
  return 0;
}

/** For deploy/rollback/pr: refuses (exit 1, nothing changed) when a killed run left pending operations. */
export async function refuseWhenPending(stack: Stack, stackName: string): Promise<string | undefined> {
  const ops = pendingOperations(parseDeployment(JSON.parse(await pulumi(stack, ["stack", "export"]))));
  return ops.length > 0 ? pendingMessage(stackName, ops) : undefined;
}
