/**
 * Docker image references the way Coolify v4.3.10 takes, stores and pulls them.
 */
import type { ApplicationRecord } from "./state";

// Coolify v4.3.10 app/Support/ValidationPatterns.php DOCKER_IMAGE_NAME_PATTERN and DOCKER_IMAGE_TAG_PATTERN
// (PCRE \A…\z; JS has no \z, ^…$ without the m flag is the same here since neither allows a newline).
const NAME_PATTERN =
  /^(?=.{1,255}$)(?:(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?:@sha256)?$/;
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** ValidationPatterns::isValidDockerImageName: blank is valid (the `nullable` rule takes it). */
export function validImageName(value: string | null | undefined): boolean {
  return value === null || value === undefined || value === "" || NAME_PATTERN.test(value);
}

export function validImageTag(value: string | null | undefined): boolean {
  return value === null || value === undefined || value === "" || TAG_PATTERN.test(value);
}

/**
 * Coolify v4.3.10 app/Rules/DockerImageFormat.php, the create path's rule for `docker_registry_image_name`: a
 * full reference (`repo`, `repo:tag`, `repo@sha256:<hex>`) whose name and tag pass the patterns above.
 */
export function validImageReference(value: string): boolean {
  if (/:sha256?:/i.test(value)) return false;
  let name = value;
  let tag: string | undefined;
  const digest = /^(.+)@sha256:([a-f0-9]{64})$/i.exec(value);
  if (digest) name = digest[1] ?? "";
  else {
    const lastColon = value.lastIndexOf(":");
    const lastSlash = value.lastIndexOf("/");
    if (lastColon >= 0 && lastColon > lastSlash) {
      name = value.slice(0, lastColon);
      tag = value.slice(lastColon + 1);
    }
  }
  return validImageName(name) && validImageTag(tag);
}

/**
 * What create_application stores (Coolify v4.3.10 app/Http/Controllers/Api/ApplicationsController.php, the
 * `dockerimage` branch): name and tag joined by ":", parsed by app/Services/DockerImageParser.php, and for a
 * digest the name gets "@sha256" appended while the tag is the bare hex: `repo@sha256` + `<hex>`.
 */
export function storedImage(name: string, tag: string | undefined): { name: string; tag: string } {
  const full = tag ? `${name}:${tag}` : name;
  const digest = /^(.+)@sha256:([a-f0-9]{64})$/i.exec(full);
  if (digest) return { name: `${digest[1] ?? ""}@sha256`, tag: digest[2] ?? "" };
  const lastColon = full.lastIndexOf(":");
  const lastSlash = full.lastIndexOf("/");
  if (lastColon >= 0 && lastColon > lastSlash) {
    const t = full.slice(lastColon + 1);
    const n = full.slice(0, lastColon);
    // DockerImageParser::isSha256Hash: a 64-hex tag is a digest too.
    return /^[a-f0-9]{64}$/i.test(t) ? { name: `${n}@sha256`, tag: t } : { name: n, tag: t };
  }
  return { name: full, tag: "latest" };
}

/**
 * The reference a deployment pulls (Coolify v4.3.10 app/Jobs/ApplicationDeploymentJob.php,
 * deploy_dockerimage_buildpack and the production_image_name choice): a tag "sha256-<hex>" means
 * `name@sha256:<hex>`; anything else is `name:tag`, which for the API's `repo@sha256` + `<hex>` is the digest.
 */
export function imageReference(app: Pick<ApplicationRecord, "docker_registry_image_name" | "docker_registry_image_tag">): string {
  const tag = app.docker_registry_image_tag || "latest";
  return tag.startsWith("sha256-")
    ? `${app.docker_registry_image_name}@sha256:${tag.slice(7)}`
    : `${app.docker_registry_image_name}:${tag}`;
}
