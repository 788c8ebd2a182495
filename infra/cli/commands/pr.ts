import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { readStackFile, renderPrTemplate } from "../../../stacks/files";
import { releaseInfo } from "./deploy";
import { releaseMessage } from "../releases";
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
 * `pr up <n>` creates or updates the preview stack from the template; `pr down <n>` destroys it and removes
 * the stack (and its generated stack file), so nothing of the PR is left on the platforms or in the backend.
 */
export async function prCommand(action: "up" | "down", prNumber: number, log: Log, print: Log): Promise<number> {
  const name = prStackName(prNumber);
  const onOutput = (o: string) => log(plain(o).trimEnd());
  if (action === "up") {
    // The generated Pulumi.pr-<n>.yaml is only the vehicle of the config: the update history records it, and the
    // file is removed again, so a PR job (or a laptop) leaves no stray stack file behind.
    return keepingStackFile(PROJECT_DIR, name, async () => {
      const { stack } = await openStack(name, { create: true });
      await stack.setAllConfig(prConfig(prNumber));
      const info = releaseInfo(undefined);
      const result = await stack.up({ color: "never", message: releaseMessage(`PR #${prNumber}`, info), onOutput });
      const urls = (result.outputs.urls?.value as string[] | undefined) ?? [];
      print(`${name}: update #${await latestVersion(stack)} ${result.summary.result}${urls.length ? `; ${urls.join(", ")}` : ""}`);
      return result.summary.result === "succeeded" ? 0 : 1;
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
