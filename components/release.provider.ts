import type * as pulumi from "@pulumi/pulumi";

/**
 * What a release resource stores: the image the stack runs and the release that chose it. Outputs equal the
 * (checked) inputs, so `pulumi preview` shows the exact image a step will deploy.
 */
export interface ReleaseState {
  /** `<repo>@sha256:<digest>`; absent only in the inputs of a run that has no image to offer (see `unavailable`). */
  imageRef?: string;
  /** true when a slipway release chose the image (deploy, rollback, promotion, a build); false when git's config did. */
  pinned: boolean;
  commit?: string;
  tag?: string;
  time?: string;
  actor?: string;
  /** Why this run has no image, for the error when there is no earlier release to keep either. */
  unavailable?: string;
}

const FIELDS = ["imageRef", "pinned", "commit", "tag", "time", "actor"] as const;

/**
 * The rule of a plain `pulumi up`: once a slipway release has chosen a stack's image, a run that is not a
 * release (no `slipway:release.image`, no build commit) keeps that release — its image and its record —
 * instead of deploying the digest that sits in the committed stack file, which may be older. `check` may
 * rewrite inputs, and it runs in previews too, so the preview already shows the kept image.
 */
export function keepRelease(olds: Partial<ReleaseState> | undefined, news: ReleaseState): { inputs: ReleaseState } | { failure: string } {
  const old = olds?.pinned === true && typeof olds.imageRef === "string" ? olds : undefined;
  if (!news.pinned && old) {
    return { inputs: { imageRef: old.imageRef, pinned: true, commit: old.commit, tag: old.tag, time: old.time, actor: old.actor } };
  }
  if (typeof news.imageRef !== "string") {
    if (typeof olds?.imageRef === "string") return { inputs: { ...news, imageRef: olds.imageRef } };
    return { failure: news.unavailable ?? "no image to deploy" };
  }
  return { inputs: news };
}

export const releaseProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: Partial<ReleaseState>, news: ReleaseState & Record<string, unknown>) {
    const kept = keepRelease(olds, news);
    if ("failure" in kept) return { failures: [{ property: "imageRef", reason: kept.failure }] };
    // The dynamic-provider host's own bookkeeping (`__provider`) must survive the rewrite.
    const rest = Object.fromEntries(Object.entries(news).filter(([k]) => !(FIELDS as readonly string[]).includes(k) && k !== "unavailable"));
    return { inputs: { ...rest, ...strip(kept.inputs) } };
  },
  async diff(_id: string, olds: ReleaseState, news: ReleaseState) {
    return { changes: FIELDS.some((k) => olds[k] !== news[k]), replaces: [], deleteBeforeReplace: false };
  },
  async create(inputs: ReleaseState) {
    return { id: "release", outs: strip(inputs) };
  },
  async update(_id: string, _olds: ReleaseState, news: ReleaseState) {
    return { outs: strip(news) };
  },
  async delete() {
    // A record only: nothing exists outside the stack's state.
  },
};

/** Only the recorded fields, without undefined (the plugin's protobuf Struct rejects it). */
function strip(s: ReleaseState): ReleaseState {
  const out: Record<string, unknown> = {};
  for (const k of FIELDS) if (s[k] !== undefined) out[k] = s[k];
  return out as unknown as ReleaseState;
}
