import type * as pulumi from "@pulumi/pulumi";
import { stableJson } from "./machine-spec";

/** Field-level diffs for the Fly dynamic providers. */

export type FieldDiffKind = "add" | "delete" | "update" | "add-replace" | "delete-replace" | "update-replace";

export interface FieldDiffResult extends pulumi.dynamic.DiffResult {
  /** Per changed field: what changes and whether it forces a replacement. */
  readonly detailedDiff: Record<string, { kind: FieldDiffKind; inputDiff: boolean }>;
}

export interface DiffOptions {
  /** Fields compared (top-level input names). `connection` is handled separately and need not be listed. */
  fields: readonly string[];
  /** Fields the API cannot change in place. */
  replaceOn: readonly string[];
  /** Delete the old resource before creating its replacement (e.g. a name that must stay unique). */
  deleteBeforeReplace?: boolean;
}

const isSet = (v: unknown): boolean => v !== undefined && v !== null;

export function diffFields(oldProps: object, newProps: object, options: DiffOptions): FieldDiffResult {
  const olds = oldProps as Record<string, unknown>;
  const news = newProps as Record<string, unknown>;
  const detailedDiff: Record<string, { kind: FieldDiffKind; inputDiff: boolean }> = {};
  const replaces: string[] = [];
  const mark = (field: string, replace: boolean): void => {
    const before = isSet(olds[field]);
    const after = isSet(news[field]);
    const base = !before ? "add" : !after ? "delete" : "update";
    detailedDiff[field] = { kind: (replace ? `${base}-replace` : base) as FieldDiffKind, inputDiff: true };
    if (replace) replaces.push(field);
  };
  for (const field of options.fields) {
    if (stableJson(olds[field] ?? null) !== stableJson(news[field] ?? null)) {
      mark(field, options.replaceOn.includes(field));
    }
  }
  // A rotated token is not a change to the resource; a different API endpoint is a different resource.
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
