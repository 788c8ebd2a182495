/**
 * Field-level diffs for the Coolify providers. Each provider lists its fields and whether the API can
 * change them in place; this turns two input sets into Pulumi's `DiffResult` with a `detailedDiff` entry
 * per changed field (per key for maps such as env vars), so `pulumi preview --diff` shows exactly what
 * will change and why something is replaced.
 */
import type * as pulumi from "@pulumi/pulumi";

export type FieldKind = "update" | "replace";

/** How each field is treated; `map` fields are diffed key by key. */
export interface FieldSpec {
  kind: FieldKind;
  map?: boolean;
}

/** One entry of a detailed diff, with the engine's kinds (`pulumirpc.PropertyDiff.Kind`). */
export interface PropertyDiff {
  kind: "add" | "add-replace" | "delete" | "delete-replace" | "update" | "update-replace";
  inputDiff: boolean;
}

/**
 * `pulumi.dynamic.DiffResult` plus the per-field `detailedDiff`. The nodejs dynamic-provider host of
 * @pulumi/pulumi 3.270 forwards only `changes`, `replaces` and `deleteBeforeReplace` to the engine (which
 * then renders its own input diff); the detailed diff is still returned so tests and tools can see, field
 * by field, which change is in place and which replaces, and so a host that forwards it gets it.
 */
export interface FieldDiffResult extends pulumi.dynamic.DiffResult {
  readonly changes: boolean;
  readonly replaces: string[];
  readonly detailedDiff: Record<string, PropertyDiff>;
}

export function isEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

/** Key order and undefined members must not count as changes. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, normalize(v)]),
    );
  }
  return value;
}

function propertyPath(field: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${field}.${key}` : `${field}[${JSON.stringify(key)}]`;
}

function entry(before: unknown, after: unknown, kind: FieldKind): PropertyDiff {
  const base = before === undefined ? "add" : after === undefined ? "delete" : "update";
  return { kind: kind === "replace" ? `${base}-replace` : base, inputDiff: true };
}

/**
 * Compares `olds` and `news` over `fields`. The connection is handled here for every provider: a changed
 * `apiUrl` is another Coolify instance (replace); a changed token is a rotation and no change at all.
 */
export function diffFields(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  fields: Record<string, FieldSpec>,
): FieldDiffResult {
  const detailedDiff: Record<string, PropertyDiff> = {};
  const replaces: string[] = [];

  const oldUrl = (olds.connection as { apiUrl?: string } | undefined)?.apiUrl;
  const newUrl = (news.connection as { apiUrl?: string } | undefined)?.apiUrl;
  if (oldUrl !== undefined && newUrl !== undefined && oldUrl !== newUrl) {
    detailedDiff["connection.apiUrl"] = { kind: "update-replace", inputDiff: true };
    replaces.push("connection.apiUrl");
  }

  for (const [field, spec] of Object.entries(fields)) {
    const before = olds[field];
    const after = news[field];
    if (isEqual(before, after)) continue;
    if (spec.map) {
      const a = (before ?? {}) as Record<string, unknown>;
      const b = (after ?? {}) as Record<string, unknown>;
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (!isEqual(a[key], b[key])) detailedDiff[propertyPath(field, key)] = entry(a[key], b[key], spec.kind);
      }
    } else {
      detailedDiff[field] = entry(before, after, spec.kind);
    }
    if (spec.kind === "replace") replaces.push(field);
  }

  const changes = Object.keys(detailedDiff).length > 0;
  return { changes, replaces, detailedDiff, deleteBeforeReplace: false };
}
