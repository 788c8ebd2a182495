import { createHash } from "node:crypto";

/**
 * Ownership marks: everything slipway creates carries a mark it can find again, so that after an ambiguous answer
 * (the create went through, the reply was lost) or a killed engine the next create adopts what it made instead of
 * making a second one — and never takes a sibling's (five same-named media volumes created in parallel) or
 * someone else's (an application of the same name made by hand).
 *
 * A mark is a hash of the resource's **owner** — `<project>/<stack>/<resource name>`, which the component passes
 * in — and of the inputs whose change replaces the resource (placement, region, …). The second part matters for
 * create-before-delete replacements: the new resource must not find the old one's mark and adopt what the engine
 * is about to delete.
 *
 * Where the mark lives depends on the platform: a Coolify application, database or project carries it in its
 * description; a Fly volume, which has no metadata, in its name (Fly mounts volumes by id, so the name is free).
 */

/** `<project>/<stack>/<resource name>`: the same for every run of one stack, different for every other. */
export function ownerOf(project: string, stack: string, resourceName: string): string {
  return `${project}/${stack}/${resourceName}`;
}

const HEX = 12;
export const MARK_PREFIX = "slipway-";
const MARK_RE = new RegExp(`\\s*\\(${MARK_PREFIX}[0-9a-f]{${HEX}}\\)$`);

/** The mark of `owner`'s resource with these replace-determining inputs, e.g. `slipway-3f9a0c1d2e4b`. */
export function markOf(owner: string, identity: readonly unknown[] = []): string {
  return MARK_PREFIX + createHash("sha256").update(JSON.stringify([owner, ...identity])).digest("hex").slice(0, HEX);
}

/** A description that carries the mark at its end: `Shop storefront (slipway-3f9a0c1d2e4b)`. */
export function withMark(description: string | undefined | null, mark: string): string {
  const text = withoutMark(description) ?? "";
  return text ? `${text} (${mark})` : `(${mark})`;
}

/** The description without slipway's mark (what the user declared); undefined when nothing else is left. */
export function withoutMark(description: string | undefined | null): string | undefined {
  if (description == null) return undefined;
  const text = description.replace(MARK_RE, "");
  return text === "" ? undefined : text;
}

/** Whether a description carries exactly this mark. */
export function carriesMark(description: string | undefined | null, mark: string): boolean {
  return typeof description === "string" && description.endsWith(`(${mark})`);
}

/** Whether a description carries any slipway mark (made by some slipway stack). */
export function carriesAnyMark(description: string | undefined | null): boolean {
  return typeof description === "string" && MARK_RE.test(description);
}

/**
 * A Fly volume name that carries the mark: `<name>_<8 hex>`, within Fly's 30 characters of `[a-z0-9_]`
 * (components/fly/volume.ts validates the declared name against the same rule).
 */
export function markedVolumeName(name: string, mark: string): string {
  const suffix = mark.slice(MARK_PREFIX.length, MARK_PREFIX.length + 8);
  return `${name.slice(0, 30 - suffix.length - 1)}_${suffix}`;
}

/** An error for a resource that has our name but not our mark: slipway refuses to take it over. */
export class NotOursError extends Error {
  constructor(what: string, found: string) {
    super(
      `${what}: ${found} already exists with the same name but without this stack's slipway mark, so slipway did not make it ` +
        "and will not take it over. Rename or delete it, or give this resource another name.",
    );
    this.name = "NotOursError";
  }
}
