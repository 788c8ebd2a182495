/**
 * Pure mapping between slipway's application inputs and Coolify's application fields: the exact create
 * and PATCH bodies, and the way back from GET (which reports `fqdn` where PATCH took `domains`).
 * Only fields of the spec are ever sent: Coolify rejects unknown fields with 422.
 */
import { markOf, withMark, withoutMark } from "../mark";
import type { paths } from "./api.gen";
import type { ApplicationReply } from "./schemas";
import type { ApplicationInputs, HealthCheckInputs } from "./types";

export type CreateApplicationBody = paths["/applications/dockerimage"]["post"]["requestBody"]["content"]["application/json"];
export type PatchApplicationBody = NonNullable<
  paths["/applications/{uuid}"]["patch"]["requestBody"]
>["content"]["application/json"];

/** Fields both create and PATCH take, as slipway sets them. Cleared settings get Coolify's "off" value. */
export type ApplicationSettings = Pick<
  PatchApplicationBody,
  | "name"
  | "description"
  | "docker_registry_image_name"
  | "docker_registry_image_tag"
  | "domains"
  | "is_force_https_enabled"
  | "ports_exposes"
  | "ports_mappings"
  | "health_check_enabled"
  | "health_check_path"
  | "health_check_port"
  | "health_check_method"
  | "health_check_scheme"
  | "health_check_return_code"
  | "health_check_interval"
  | "health_check_timeout"
  | "health_check_retries"
  | "health_check_start_period"
  | "limits_cpus"
  | "limits_memory"
  | "pre_deployment_command"
  | "post_deployment_command"
  | "manual_webhook_secret_github"
>;

/** `https://a.example.com,https://b.example.com`: domains are always https. */
export function domainsField(domains: readonly string[]): string {
  return domains.map((host) => `https://${host}`).join(",");
}

/** The hosts in a GET's `fqdn` (comma separated URLs, possibly with a port or path); a port is kept (`host:4000`). */
export function hostsFromFqdn(fqdn: string | null | undefined): string[] {
  if (!fqdn) return [];
  return fqdn
    .split(",")
    .map((url) => url.trim())
    .filter((url) => url !== "")
    .map((url) => url.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "").toLowerCase());
}

/**
 * The ownership mark of an application: its owner and its placement, so a replacement in another placement never
 * finds the application it replaces. Carried at the end of the description; undefined for inputs without owner.
 */
export function applicationMark(inputs: Pick<ApplicationInputs, "owner" | "projectUuid" | "environmentUuid" | "serverUuid" | "destinationUuid">): string | undefined {
  return inputs.owner ? markOf(inputs.owner, [inputs.projectUuid, inputs.environmentUuid, inputs.serverUuid, inputs.destinationUuid ?? null]) : undefined;
}

export function applicationSettings(inputs: ApplicationInputs): ApplicationSettings {
  const hc = inputs.healthCheck;
  const mark = applicationMark(inputs);
  return {
    name: inputs.name,
    description: mark ? withMark(inputs.description, mark) : (inputs.description ?? ""),
    ...imageFields(inputs.image),
    domains: domainsField(inputs.domains),
    is_force_https_enabled: true,
    ports_exposes: inputs.ports.join(","),
    ports_mappings: inputs.portMappings.join(","),
    ...healthCheckFields(hc, inputs.ports[0]),
    // "0" is Coolify's "no limit".
    limits_cpus: inputs.limits?.cpus ?? "0",
    limits_memory: inputs.limits?.memory ?? "0",
    pre_deployment_command: inputs.preDeploymentCommand ?? "",
    post_deployment_command: inputs.postDeploymentCommand ?? "",
    manual_webhook_secret_github: inputs.githubWebhookSecret ?? "",
  };
}

function healthCheckFields(hc: HealthCheckInputs | undefined, firstPort: number | undefined): Partial<ApplicationSettings> {
  if (!hc) return { health_check_enabled: false };
  return {
    health_check_enabled: true,
    health_check_path: hc.path,
    health_check_port: String(hc.port ?? firstPort ?? ""),
    health_check_method: "GET",
    health_check_scheme: "http",
    health_check_return_code: hc.returnCode,
    health_check_interval: hc.intervalSeconds,
    health_check_timeout: hc.timeoutSeconds,
    health_check_retries: hc.retries,
    health_check_start_period: hc.startPeriodSeconds,
  };
}

/** POST /applications/dockerimage: placement, then the settings that are set (empty ones left out). */
export function createApplicationBody(inputs: ApplicationInputs): CreateApplicationBody {
  const settings = Object.fromEntries(
    Object.entries(applicationSettings(inputs)).filter(([, value]) => value !== "" && value !== undefined),
  ) as ApplicationSettings;
  return {
    project_uuid: inputs.projectUuid,
    server_uuid: inputs.serverUuid,
    environment_name: inputs.environmentName,
    environment_uuid: inputs.environmentUuid,
    ...(inputs.destinationUuid ? { destination_uuid: inputs.destinationUuid } : {}),
    ...settings,
    ...imageFields(inputs.image),
    // Without domains Coolify would invent an sslip.io one; slipway serves only the domains it was given.
    ...(inputs.domains.length === 0 ? { autogenerate_domain: false } : {}),
    // Deploy only after the env vars are in place (see the provider).
    instant_deploy: false,
  };
}

/** PATCH /applications/{uuid}: only the settings that differ, so an update touches nothing else. */
export function patchApplicationBody(olds: ApplicationInputs, news: ApplicationInputs): PatchApplicationBody {
  const before = applicationSettings(olds) as Record<string, unknown>;
  const after = applicationSettings(news) as Record<string, unknown>;
  const changed = Object.keys(after).filter((key) => before[key] !== after[key]);
  return Object.fromEntries(changed.map((key) => [key, after[key]])) as PatchApplicationBody;
}

/**
 * `repo@sha256:<hex>` as the name and tag Coolify v4.3.10 stores for it: `repo@sha256` and `<hex>`. That is what
 * create_application makes of a full reference (app/Http/Controllers/Api/ApplicationsController.php, the
 * `dockerimage` branch: DockerImageParser, then "@sha256" appended to the name), and the only digest form PATCH
 * accepts: update_by_uuid checks the name against ValidationPatterns::DOCKER_IMAGE_NAME_PATTERN, a repository
 * without tag where only a trailing "@sha256" is allowed, so a full `repo@sha256:<hex>` there is a 422. Sent the
 * same way on create and PATCH, so both store the same thing. A tag before the digest (`repo:1.2@sha256:…`) is
 * dropped: Docker pulls by digest and ignores it, and Coolify refuses a name with a tag.
 */
export function imageFields(image: string): { docker_registry_image_name: string; docker_registry_image_tag: string } {
  const at = image.lastIndexOf("@sha256:");
  if (at < 0) {
    // Not slipway's (its inputs are digests): what someone set by hand, read back to be compared and replaced.
    const repo = withoutTag(image);
    return { docker_registry_image_name: repo, docker_registry_image_tag: image.slice(repo.length + 1) || "latest" };
  }
  return { docker_registry_image_name: `${withoutTag(image.slice(0, at))}@sha256`, docker_registry_image_tag: image.slice(at + "@sha256:".length) };
}

/** `ghcr.io:5000/acme/web:1.2` → `ghcr.io:5000/acme/web`: a colon after the last slash starts a tag. */
function withoutTag(repo: string): string {
  const colon = repo.lastIndexOf(":");
  return colon > repo.lastIndexOf("/") ? repo.slice(0, colon) : repo;
}

/**
 * The image reference from GET's name and tag, in whichever form Coolify stored it (Coolify v4.3.10
 * app/Jobs/ApplicationDeploymentJob.php pulls `name@sha256:<hex>` for a tag "sha256-<hex>", `name:tag` otherwise,
 * which for the API's `repo@sha256` + `<hex>` is the digest reference).
 */
export function imageFromApi(name: string | null | undefined, tag: string | null | undefined): string {
  const repo = name ?? "";
  if (!tag) return repo;
  if (/^sha256[-:][a-f0-9]{64}$/i.test(tag)) return `${repo}@sha256:${tag.slice(7)}`;
  return `${repo}:${tag}`;
}

/** What Coolify holds, in the form the inputs gave when it is the same image (a tag before the digest dropped). */
function sameImage(fromApi: string, declared: string): string {
  if (fromApi === declared) return declared;
  const f = imageFields(declared);
  return fromApi === `${f.docker_registry_image_name}:${f.docker_registry_image_tag}` ? declared : fromApi;
}

/** What the API holds, in slipway's input shape (for refresh). Env vars are read separately. */
export function applicationFromApi(
  app: ApplicationReply,
  props: ApplicationInputs,
): Omit<ApplicationInputs, "env" | "secretEnv" | "volumes"> {
  const nonEmpty = (value: string | null | undefined): string | undefined =>
    value === null || value === undefined || value === "" ? undefined : value;
  const noLimit = (value: string | null | undefined): string | undefined =>
    value === null || value === undefined || value === "" || value === "0" ? undefined : value;
  const ports = (app.ports_exposes ?? "")
    .split(",")
    .map((p) => Number(p.trim()))
    .filter((p) => Number.isInteger(p) && p > 0);
  const limits = { cpus: noLimit(app.limits_cpus), memory: noLimit(app.limits_memory) };
  const port = Number(app.health_check_port);
  return {
    connection: props.connection,
    projectUuid: props.projectUuid,
    environmentUuid: props.environmentUuid,
    environmentName: props.environmentName,
    serverUuid: props.serverUuid,
    destinationUuid: props.destinationUuid,
    deploy: props.deploy,
    name: app.name,
    // The ownership mark is slipway's, not the user's description: refresh reports the rest.
    description: withoutMark(nonEmpty(app.description)),
    image: sameImage(imageFromApi(app.docker_registry_image_name, app.docker_registry_image_tag), props.image),
    domains: hostsFromFqdn(app.fqdn),
    ports,
    portMappings: (app.ports_mappings ?? "").split(",").map((m) => m.trim()).filter((m) => m !== ""),
    healthCheck: app.health_check_enabled
      ? {
          path: app.health_check_path ?? "/",
          // slipway leaves the port out when it is the first exposed one; keep it that way on refresh.
          port: Number.isInteger(port) && port > 0 && !(props.healthCheck?.port === undefined && port === ports[0]) ? port : undefined,
          intervalSeconds: app.health_check_interval ?? 0,
          timeoutSeconds: app.health_check_timeout ?? 0,
          retries: app.health_check_retries ?? 0,
          startPeriodSeconds: app.health_check_start_period ?? 0,
          returnCode: app.health_check_return_code ?? 200,
        }
      : undefined,
    limits: limits.cpus || limits.memory ? limits : undefined,
    preDeploymentCommand: nonEmpty(app.pre_deployment_command),
    postDeploymentCommand: nonEmpty(app.post_deployment_command),
    // Coolify v4.3.10 app/Models/Application.php hides the webhook secret from tokens without read:sensitive:
    // the key is then absent, and the secret slipway wrote is what it holds.
    githubWebhookSecret: "manual_webhook_secret_github" in app ? nonEmpty(app.manual_webhook_secret_github) : props.githubWebhookSecret,
  };
}
