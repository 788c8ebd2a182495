import type { ConfigMap } from "@pulumi/pulumi/automation";
import { healthyReleaseOf, type Release } from "./releases";

/**
 * Where `slipway deploy` takes the release's image from — decided before anything runs, from the stack's
 * `slipway:image` kind and `--image`. A deploy never takes its image from a digest that merely sits in a
 * committed stack file:
 *
 * - `--image <ref>`          exactly that digest (CI built or received it for this commit);
 * - `kind: build` / `flox`   the program builds the release's commit once, and the release pins the digest;
 * - `kind: fromStack`        promotion: the digest the source stack (staging) ran healthy for this commit,
 *                            found in the source stack's own release history — refused when there is none;
 * - `kind: pinned`           keeps the image of the stack's current release (a config-only release); the
 *                            committed `ref` only seeds a plain `pulumi up` of a stack that was never released.
 */
export type ImageSource =
  | { kind: "given"; image: string }
  | { kind: "build" }
  | { kind: "promote"; from: string }
  | { kind: "keep" };

/** The `slipway:image` kind (and promotion source) from the stack's config, as the CLI reads it. */
export function imageSourceFor(config: ConfigMap, image: string | undefined): ImageSource {
  if (image !== undefined) return { kind: "given", image };
  const raw = config["slipway:image"]?.value;
  let parsed: { kind?: unknown; stack?: unknown } = {};
  try {
    parsed = raw ? (JSON.parse(raw) as typeof parsed) : {};
  } catch {
    // Not JSON: the program's own validation names the problem when it runs.
  }
  if (parsed.kind === "build" || parsed.kind === "flox") return { kind: "build" };
  if (parsed.kind === "fromStack" && typeof parsed.stack === "string") return { kind: "promote", from: parsed.stack };
  return { kind: "keep" };
}

/** The source stack's release of `commit`, or the message that says why production cannot have it. */
export function promotedImage(source: string, releases: readonly Release[], commit: string | undefined): { image: string; from: Release } | { refusal: string } {
  if (!commit) return { refusal: `promotion from ${source} needs the commit being released (GITHUB_SHA, SLIPWAY_RELEASE_COMMIT or git HEAD); found none` };
  const found = healthyReleaseOf(releases, commit);
  if (found?.info.image) return { image: found.info.image, from: found };
  const ran = releases
    .filter((r) => r.info.commit && r.info.image)
    .slice(-5)
    .map((r) => `#${r.version} ${r.info.commit?.slice(0, 7)} ${r.result === "succeeded" && r.healthy ? "healthy" : r.result === "succeeded" ? "unhealthy" : r.result}`);
  return {
    refusal:
      `${source} never ran commit ${commit.slice(0, 7)} healthy, so there is no tested digest to promote; deploy it to ${source} first` +
      ` (${source}'s latest releases: ${ran.length > 0 ? ran.join(", ") : "none"})`,
  };
}
