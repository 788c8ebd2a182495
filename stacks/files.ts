/**
 * Reads a `Pulumi.<stack>.yaml` into the raw config map `parseStackConfig` takes, without the engine: for
 * tests, the CLI's pre-flight check and PR templates. Secure values cannot be decrypted here (that needs the
 * stack's secrets provider), so their keys are reported as secret and the values replaced by a marker.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { PR_PLACEHOLDER } from "./config";

export interface RawStackConfig {
  /** Config keys as in the file (`slipway:app`, `coolify:url`, …) with YAML values. */
  raw: Record<string, unknown>;
  /** Keys holding at least one `secure:` value, as the engine would report them. */
  secretKeys: string[];
}

/** Stands in for a value encrypted in the file: validation sees a string, never the ciphertext. */
export const SECURE_MARKER = "[secure]";

function isSecure(v: unknown): v is { secure: string } {
  return v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { secure?: unknown }).secure === "string";
}

function stripSecure(v: unknown): { value: unknown; secret: boolean } {
  if (isSecure(v)) return { value: SECURE_MARKER, secret: true };
  if (Array.isArray(v)) {
    const items = v.map(stripSecure);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (v !== null && typeof v === "object") {
    let secret = false;
    const out: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(v)) {
      const s = stripSecure(child);
      out[k] = s.value;
      secret ||= s.secret;
    }
    return { value: out, secret };
  }
  return { value: v, secret: false };
}

/** Parses the text of a stack file (its top-level `config:` map). */
export function parseStackFile(text: string): RawStackConfig {
  const doc: unknown = parse(text);
  const config = doc !== null && typeof doc === "object" ? (doc as { config?: unknown }).config : undefined;
  const raw: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  if (config !== null && typeof config === "object") {
    for (const [key, value] of Object.entries(config)) {
      // Stack files may wrap structured values as `{ value: … }` (as Pulumi.yaml does); both forms mean the same.
      const unwrapped = value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 && "value" in value ? (value as { value: unknown }).value : value;
      const { value: plain, secret } = stripSecure(unwrapped);
      raw[key] = plain;
      if (secret) secretKeys.push(key);
    }
  }
  return { raw, secretKeys };
}

export function readStackFile(path: string): RawStackConfig {
  return parseStackFile(readFileSync(path, "utf8"));
}

/**
 * Makes the config of stack `pr-<n>` from the PR template: every `{{pr}}` becomes the number. Kept here, next
 * to the schema, so the placeholder and the check that rejects a forgotten one cannot drift apart.
 */
export function renderPrTemplate(raw: Record<string, unknown>, prNumber: number): Record<string, unknown> {
  if (!Number.isInteger(prNumber) || prNumber < 1) throw new Error(`expected a pull-request number ≥ 1, got ${prNumber}`);
  const render = (v: unknown): unknown => {
    if (typeof v === "string") return v.split(PR_PLACEHOLDER).join(String(prNumber));
    if (Array.isArray(v)) return v.map(render);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, c]) => [k, render(c)]));
    return v;
  };
  return render(raw) as Record<string, unknown>;
}
