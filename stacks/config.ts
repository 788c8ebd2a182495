/**
 * Turns the raw `slipway:*` stack config into a validated `StackConfig`, or throws ONE `ConfigError` that
 * lists every problem, one per line: `slipway:<key>.<path>: expected <what>, got <found>`. Reporting all of
 * them at once matters because each `pulumi preview` costs a program start-up; fixing one mistake per run
 * is how config bugs end up patched in production. Nothing here registers a resource.
 */
import * as pulumi from "@pulumi/pulumi";
import { crossFieldRules, type ParsedSections } from "./rules";
import { REQUIRED_SECTIONS, sectionSchemas, type SectionName, type StackConfig } from "./schema";
import {
  describeHidden,
  isSecretLookingKey,
  isSecretLookingValue,
  scanPlaintext,
  showValue,
  type ConfigPath,
  type Finding,
} from "./secrets";

export type { StackConfig } from "./schema";

/** The placeholder `Pulumi.pr.yaml` uses for the pull-request number; the CLI substitutes it (see `stacks/files.ts` renderPrTemplate). */
export const PR_PLACEHOLDER = "{{pr}}";

/**
 * Invalid stack config. `problems` holds one line per invalid path, in the order they were found.
 * A `RunError`, so the engine prints just the message: a stack trace would bury the list.
 */
export class ConfigError extends pulumi.RunError {
  override readonly name = "ConfigError";
  constructor(readonly problems: readonly string[]) {
    super(`invalid slipway stack config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  ${p}`).join("\n")}`);
  }
}

const PREFIX = "slipway:";

/** `slipway:app` + ["env", "A"] → `slipway:app.env.A`; list items as `[0]`, odd keys quoted, like `pulumi config --path`. */
export function formatPath(key: string, path: ConfigPath): string {
  return path.reduce<string>((acc, seg) => {
    if (typeof seg === "number") return `${acc}[${seg}]`;
    return /^[A-Za-z_]\w*$/.test(seg) ? `${acc}.${seg}` : `${acc}[${JSON.stringify(seg)}]`;
  }, key);
}

function valueAt(root: unknown, path: ConfigPath): unknown {
  let node: unknown = root;
  for (const seg of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node;
}

/** The language host passes structured values as JSON strings; YAML parsed in tests passes them as objects. */
function decode(value: unknown): unknown {
  if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** Whether a found value may be printed: never from a secure key, under a secret-named key, or when it looks secret. */
function show(value: unknown, secureKey: boolean, path: ConfigPath): string {
  const hidden =
    secureKey ||
    path.some((seg) => typeof seg === "string" && isSecretLookingKey(seg)) ||
    (typeof value === "string" && isSecretLookingValue(value));
  return hidden ? describeHidden(value) : showValue(value);
}

function placeholderFindings(key: string, value: unknown, path: ConfigPath = []): Finding[] {
  if (typeof value === "string") {
    return value.includes(PR_PLACEHOLDER)
      ? [{ key, path, message: `expected the pull-request number in place of ${PR_PLACEHOLDER}, got ${showValue(value)} — create PR stacks with \`npx slipway pr up <number>\`` }]
      : [];
  }
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => placeholderFindings(key, v, [...path, Array.isArray(value) ? Number(k) : k]));
  }
  return [];
}

/**
 * Validates a whole environment. `raw` maps config keys (`slipway:app`, …; other namespaces are ignored) to
 * values, either decoded or as the JSON strings the language host provides; `secretKeys` lists the keys that
 * were set with `--secret` (secure values). Pure: no Pulumi runtime needed.
 */
export function parseStackConfig(raw: Record<string, unknown>, secretKeys: readonly string[]): StackConfig {
  const secure = new Set(secretKeys);
  const sections = new Map<string, unknown>();
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith(PREFIX)) sections.set(k.slice(PREFIX.length), decode(v));
  }

  const findings: Finding[] = [];
  const known = Object.keys(sectionSchemas);
  for (const [section, value] of sections) {
    const key = PREFIX + section;
    const isSecure = secure.has(key);
    if (!known.includes(section)) {
      const credential = isSecure ? [] : scanPlaintext(key, value).filter((f) => f.path.length === 0);
      findings.push(...(credential.length > 0 ? credential : [{ key, path: [], message: `unknown key, expected one of: ${known.map((s) => PREFIX + s).join(", ")}` }]));
      continue;
    }
    findings.push(...placeholderFindings(key, value));
    if (section === "secrets") {
      if (!isSecure && value !== null && typeof value === "object" && !Array.isArray(value)) {
        for (const [name, v] of Object.entries(value)) {
          findings.push({ key, path: [name], message: `expected a secure value, got a plaintext ${describeHidden(v).replace(/^an? /, "")} — use \`pulumi config set --secret --path 'slipway:secrets.${name}' <value>\`` });
        }
      }
    } else if (!isSecure) {
      findings.push(...scanPlaintext(key, value));
    }
  }
  for (const section of REQUIRED_SECTIONS) {
    if (!sections.has(section)) findings.push({ key: PREFIX + section, path: [], message: "expected this key to be set, got nothing" });
  }

  // Zod issues at (or under) a path that already has a finding would only repeat it less helpfully.
  const claimed = new Set(findings.map((f) => formatPath(f.key, f.path)));
  const isClaimed = (p: string) => [...claimed].some((c) => p === c || p.startsWith(`${c}.`) || p.startsWith(`${c}[`));

  const parsed: ParsedSections = {};
  const failed = new Set<string>();
  const problems: string[] = findings.map((f) => `${formatPath(f.key, f.path)}: ${f.message}`);
  for (const section of known as SectionName[]) {
    const key = PREFIX + section;
    if (!sections.has(section) && REQUIRED_SECTIONS.includes(section)) {
      failed.add(section);
      continue;
    }
    const value = sections.get(section);
    const result = sectionSchemas[section].safeParse(value, { reportInput: true });
    if (result.success) {
      (parsed as Record<string, unknown>)[section] = result.data;
      continue;
    }
    failed.add(section);
    for (const issue of result.error.issues) {
      const path = issue.path.filter((s): s is string | number => typeof s !== "symbol");
      if (issue.code === "unrecognized_keys") {
        for (const k of issue.keys) {
          const where = formatPath(key, [...path, k]);
          if (!isClaimed(where)) problems.push(`${where}: unknown key, expected one of: ${issue.message}`);
        }
        continue;
      }
      const where = formatPath(key, path);
      if (isClaimed(where)) continue;
      const expected = issue.message.startsWith("expected") ? issue.message : `expected a valid value (${issue.message})`;
      // Custom issues carry the offending input (e.g. a bad map key); others are looked up where they point.
      const found = issue.code === "custom" ? issue.input : valueAt(value, path);
      problems.push(`${where}: ${expected}, got ${show(found, secure.has(key), path)}`);
    }
  }

  for (const f of crossFieldRules(parsed, failed)) {
    const where = formatPath(f.key, f.path);
    if (!isClaimed(where)) problems.push(`${where}: ${f.message}`);
  }

  const unique = [...new Set(problems)];
  if (unique.length > 0) throw new ConfigError(unique);
  return parsed as StackConfig;
}

/** `isConfigSecret` is what the SDK itself uses to tell secure keys apart; it is marked @internal in the typings. */
function secureKeys(config: Record<string, string>): string[] {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  if (typeof runtime.isConfigSecret !== "function") {
    throw new Error("slipway: this @pulumi/pulumi cannot report secure config keys (runtime.isConfigSecret is missing)");
  }
  const isSecret = runtime.isConfigSecret;
  return Object.keys(config).filter((k) => isSecret(k));
}

/** Reads the running stack's config and validates it; throws `ConfigError` before any resource exists. */
export function loadStackConfig(): StackConfig {
  const config = pulumi.runtime.allConfig();
  return parseStackConfig(config, secureKeys(config));
}
