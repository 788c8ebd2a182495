/**
 * Field-level diffs for every dynamic provider. A provider lists its input fields and whether its API can change
 * each in place; `diffFields` turns old state and new inputs into the changed keys (per key for maps such as env
 * vars or secrets) and what replaces. `forEngine` is the ONE answer the engine gets (see there).
 */
import type * as pulumi from "@pulumi/pulumi";

export type FieldKind = "update" | "replace";

/** How a field is treated; `map` fields are diffed key by key (`env.LOG_LEVEL`). */
export interface FieldSpec {
  kind: FieldKind;
  map?: boolean;
}

export type Fields = Readonly<Record<string, FieldSpec>>;

/** One entry of a detailed diff, with the engine's kinds (`pulumirpc.PropertyDiff.Kind`). */
export interface PropertyDiff {
  kind: "add" | "add-replace" | "delete" | "delete-replace" | "update" | "update-replace";
  inputDiff: boolean;
}

/** What a provider's diff found, field by field. `deleteBeforeReplace` is present only when it is true. */
export interface FieldDiffResult {
  readonly changes: boolean;
  readonly replaces: string[];
  readonly detailedDiff: Record<string, PropertyDiff>;
  readonly deleteBeforeReplace?: boolean;
}

/** Null and undefined are both "not set"; key order does not count. */
export function isEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalize(a ?? null)) === JSON.stringify(normalize(b ?? null));
}

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined && v !== null)
        // Any fixed order will do, both sides get the same one: code-unit order, not localeCompare, whose
        // first call builds an ICU collator (~15 ms on this machine, in the first diff of every plugin process).
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, normalize(v)]),
    );
  }
  return value;
}

const isSet = (v: unknown): boolean => v !== undefined && v !== null;

function propertyPath(field: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${field}.${key}` : `${field}[${JSON.stringify(key)}]`;
}

function entry(before: unknown, after: unknown, kind: FieldKind): PropertyDiff {
  const base = !isSet(before) ? "add" : !isSet(after) ? "delete" : "update";
  return { kind: kind === "replace" ? `${base}-replace` : base, inputDiff: true };
}

export interface DiffOptions {
  /** Delete the old resource before creating its replacement (a name or domain that must stay unique). */
  deleteBeforeReplace?: boolean;
}

/**
 * Compares old state and new inputs over `fields`. The connection is handled here for every provider: a changed
 * `apiUrl` is another instance of the platform (replace); a changed token is a rotation and no change at all.
 */
export function diffFields(oldProps: object, newProps: object, fields: Fields, options: DiffOptions = {}): FieldDiffResult {
  const olds = oldProps as Record<string, unknown>;
  const news = newProps as Record<string, unknown>;
  const detailedDiff: Record<string, PropertyDiff> = {};
  const replaces: string[] = [];

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

  const oldUrl = (olds.connection as { apiUrl?: string } | undefined)?.apiUrl;
  const newUrl = (news.connection as { apiUrl?: string } | undefined)?.apiUrl;
  if (oldUrl !== undefined && newUrl !== undefined && oldUrl !== newUrl) {
    detailedDiff["connection.apiUrl"] = { kind: "update-replace", inputDiff: true };
    replaces.push("connection");
  }

  const changes = Object.keys(detailedDiff).length > 0;
  return {
    changes,
    replaces,
    detailedDiff,
    ...(replaces.length > 0 && options.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
  };
}

/**
 * The engine-facing diff, the same for every provider: "unknown" when something changed, "none" otherwise.
 *
 * The Node.js dynamic-provider host (@pulumi/pulumi 3.270 cmd/dynamic-provider) forwards only `changes`,
 * `replaces` and `deleteBeforeReplace`, never `detailedDiff`. On "unknown" the engine diffs the old and new
 * inputs itself and reports the changed keys and a key-level detailed diff (`env.LOG_LEVEL`), while `replaces`
 * still decides replacement (pkg/resource/deploy/step_generator.go diffResource). "none" is how a rotated token
 * stays a non-change. This relies on `read` reporting refreshed values as inputs (see define.ts), so drift a
 * refresh found is in the old inputs the engine compares.
 */
export function forEngine(result: FieldDiffResult): pulumi.dynamic.DiffResult & { detailedDiff: FieldDiffResult["detailedDiff"] } {
  return {
    changes: result.changes ? undefined : false,
    replaces: result.replaces,
    deleteBeforeReplace: result.deleteBeforeReplace ?? false,
    detailedDiff: result.detailedDiff,
  };
}
