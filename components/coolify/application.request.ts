/**
 * Pure mapping between slipway's application inputs and Coolify's application fields: the exact create
 * and PATCH bodies, and the way back from GET (which reports `fqdn` where PATCH took `domains`).
 * Only fields of the spec are ever sent: Coolify rejects unknown fields with 422.
 */
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

/** The hosts in a GET's `fqdn` (comma separated URLs, possibly with a port or path). */
export function hostsFromFqdn(fqdn: string | null | undefined): string[] {
  if (!fqdn) return [];
  return fqdn
    .split(",")
    .map((url) => url.trim())
    .filter((url) => url !== "")
    .map((url) => url.replace(/^[a-z]+:\/\//i, "").replace(/[:/].*$/, "").toLowerCase());
}

export function applicationSettings(inputs: ApplicationInputs): ApplicationSettings {
  const hc = inputs.healthCheck;
  return {
    name: inputs.name,
    description: inputs.description ?? "",
    // The full digest reference: Coolify's API parses `repo@sha256:…` itself (DockerImageParser).
    docker_registry_image_name: inputs.image,
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
    docker_registry_image_name: inputs.image,
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

/** The image reference from GET's name and tag, in whichever form Coolify stored it. */
export function imageFromApi(name: string | null | undefined, tag: string | null | undefined): string {
  const repo = name ?? "";
  if (repo.includes("@") || !tag) return repo;
  if (/^sha256[-:][a-f0-9]{64}$/.test(tag)) return `${repo}@sha256:${tag.slice(7)}`;
  return `${repo}:${tag}`;
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
    description: nonEmpty(app.description),
    image: imageFromApi(app.docker_registry_image_name, app.docker_registry_image_tag),
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
    githubWebhookSecret: nonEmpty(app.manual_webhook_secret_github),
  };
}
