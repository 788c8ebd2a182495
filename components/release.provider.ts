import { z } from "zod";
import { defineProvider, diffFields, type Fields } from "./provider";
import { commitShaSchema, pinnedImageSchema } from "./rules";

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

/** The inputs' one schema: the image by slipway:image's pinned rule, the commit by slipway:release.commit's. */
export const releaseInputsSchema = z.object({
  imageRef: pinnedImageSchema.optional(),
  pinned: z.boolean(),
  commit: commitShaSchema.optional(),
  tag: z.string().optional(),
  time: z.string().optional(),
  actor: z.string().optional(),
  unavailable: z.string().optional(),
});

/** Every recorded field changes in place: a release is a record in the state, nothing outside it. */
const FIELDS: Fields = {
  imageRef: { kind: "update" }, pinned: { kind: "update" }, commit: { kind: "update" },
  tag: { kind: "update" }, time: { kind: "update" }, actor: { kind: "update" },
};

/**
 * The rule of a plain `pulumi up`: once a slipway release has chosen a stack's image, a run that is not a
 * release (no `slipway:release.image`, no build commit) keeps that release — its image and its record —
 * instead of deploying the digest that sits in the committed stack file, which may be older. This is the
 * provider's `rewrite` (components/provider/define.ts): `check` runs in previews too, so the preview already
 * shows the kept image.
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

export const releaseProvider = defineProvider<ReleaseState, ReleaseState>({
  resource: "Release",
  schema: releaseInputsSchema,
  rewrite: (olds, news) => {
    const kept = keepRelease(olds, news);
    return "failure" in kept ? { failures: [{ property: "imageRef", reason: kept.failure }] } : recorded(kept.inputs);
  },
  diff: (olds, news) => diffFields(olds, news, FIELDS),
  create: async (inputs) => ({ id: "release", outs: recorded(inputs) }),
  // A record only: what the state holds is all there is.
  read: async (_id, props) => props,
  update: async (_id, _olds, news) => recorded(news),
  delete: async () => {
    // A record only: nothing exists outside the stack's state.
  },
});

/** Only the recorded fields (`unavailable` is a message for check, not state). */
function recorded(s: ReleaseState): ReleaseState {
  const { unavailable: _unavailable, ...rest } = s;
  return rest;
}
