import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { readStackFile, renderPrTemplate } from "../../../stacks/files";
import { deploy } from "./deploy";
import { previewSecrets } from "../preview-secrets";
import { keepingStackFile } from "../stackfile";
import { latestVersion, openStack, plain, PROJECT_DIR, type Log } from "../workspace";

export const PR_TEMPLATE = "Pulumi.pr.yaml";

export function prStackName(prNumber: number): string {
  return `pr-${prNumber}`;
}

/** The config of stack `pr-<n>`: the template with `{{pr}}` replaced; structured values as JSON text. */
export function prConfig(prNumber: number, templatePath = path.join(PROJECT_DIR, PR_TEMPLATE)): ConfigMap {
  const template = readStackFile(templatePath);
  if (template.secretKeys.length > 0) {
    // A template's ciphertext belongs to the stack it was encrypted for; PR stacks get secrets from CI.
    throw new Error(`${PR_TEMPLATE} must not hold secure values (found in ${template.secretKeys.join(", ")})`);
  }
  const config: ConfigMap = {};
  for (const [key, value] of Object.entries(renderPrTemplate(template.raw, prNumber))) {
    config[key] = { value: typeof value === "string" ? value : JSON.stringify(value), secret: false };
  }
  return config;
}

/**
 * Everything `pr up <n>` sets on the stack: the template's config and the preview's secrets from the environment
 * (infra/cli/preview-secrets.ts) as one secure `slipway:secrets` key. Checked before the stack is even created,
 * so a missing secret is one error that touches nothing.
 */
export function prUpConfig(prNumber: number, env: NodeJS.ProcessEnv = process.env, templatePath = path.join(PROJECT_DIR, PR_TEMPLATE)): ConfigMap {
  const config = prConfig(prNumber, templatePath);
  const raw = renderPrTemplate(readStackFile(templatePath).raw, prNumber);
  const secrets = previewSecrets(raw, env);
  const values = Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k.slice("slipway:secrets.".length), v.value]));
  // One whole secure key, replaced on every up: a secret the template no longer needs does not linger.
  if (Object.keys(values).length > 0) config["slipway:secrets"] = { value: JSON.stringify(values), secret: true };
  return config;
}

/**
 * `pr up <n> [--image <ref>]` creates or updates the preview stack from the template and releases it exactly as
 * `slipway deploy` does (commands/deploy.ts: image decision, preview, up, health gate, automatic rollback):
 * `--image` is the digest CI built for the PR's head commit and is recorded as the release; without it the
 * preview keeps the image its last release ran, and a preview that never had one is refused (and its empty
 * stack removed) — it never falls back to the digest that merely sits in Pulumi.pr.yaml.
 * `pr down <n>` destroys it and removes the stack (and its generated stack file), so nothing of the PR is left
 * on the platforms or in the backend.
 */
export async function prCommand(action: "up" | "down", prNumber: number, log: Log, print: Log, up: { image?: string; config?: ConfigMap } = {}): Promise<number> {
  const name = prStackName(prNumber);
  const onOutput = (o: string) => log(plain(o).trimEnd());
  if (action === "up") {
    const config = up.config ?? prUpConfig(prNumber);
    // The generated Pulumi.pr-<n>.yaml is only the vehicle of the config: the update history records it, and the
    // file is removed again, so a PR job (or a laptop) leaves no stray stack file behind.
    return keepingStackFile(PROJECT_DIR, name, async () => {
      const { stack } = await openStack(name, { create: true });
      const fresh = (await stack.history()).length === 0;
      if (!("slipway:secrets" in config) && "slipway:secrets" in (await stack.getAllConfig())) await stack.removeConfig("slipway:secrets");
      await stack.setAllConfig(config);
      const code = await deploy(stack, name, { image: up.image, message: `PR #${prNumber}` }, log, print);
      if (fresh && (await stack.history()).length === 0) {
        // Refused before any update: the stack the lock created is empty, and an empty stack is only clutter.
        await stack.workspace.removeStack(name);
        return code;
      }
      const urls = ((await stack.outputs()).urls?.value as string[] | undefined) ?? [];
      print(`${name}: update #${await latestVersion(stack)} ${code === 0 ? "succeeded" : "failed"}${urls.length ? `; ${urls.join(", ")}` : ""}`);
      return code;
    });
  }
  let opened;
  try {
    opened = await openStack(name);
  } catch {
    print(`${name}: no such stack; nothing to destroy`);
    return 0;
  }
  await opened.stack.destroy({ color: "never", message: `slipway pr down ${prNumber}`, onOutput });
  await opened.stack.workspace.removeStack(name);
  const file = path.join(PROJECT_DIR, `Pulumi.${name}.yaml`);
  if (existsSync(file)) rmSync(file);
  print(`${name}: destroyed and removed`);
  return 0;
}
