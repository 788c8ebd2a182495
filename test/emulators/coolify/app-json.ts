import { readFileSync } from "node:fs";
import { COOLIFY_SPEC } from "./flavor";
import { applicationStatus, HEALTH_DEFAULTS } from "./rollout";
import type { ApplicationRecord, CoolifyState } from "./state";

/** Fields of the Application schema that live in `config`, with the defaults a new dockerimage app gets. */
const APP_DEFAULTS: Record<string, unknown> = {
  ...HEALTH_DEFAULTS,
  ports_exposes: "80",
  ports_mappings: null,
  custom_network_aliases: null,
  limits_memory: "0",
  limits_memory_swap: "0",
  limits_memory_swappiness: 60,
  limits_memory_reservation: "0",
  limits_cpus: "0",
  limits_cpuset: null,
  limits_cpu_shares: 1024,
  custom_labels: null,
  custom_docker_run_options: null,
  pre_deployment_command: null,
  pre_deployment_command_container: null,
  post_deployment_command: null,
  post_deployment_command_container: null,
  redirect: "both",
  preview_url_template: "{{pr_id}}.{{domain}}",
  max_restart_count: 10,
  noindex_domains: null,
  watch_paths: null,
  manual_webhook_secret_github: null,
  manual_webhook_secret_gitlab: null,
  manual_webhook_secret_bitbucket: null,
  manual_webhook_secret_gitea: null,
  // Coolify v4.3.10 ApplicationsController.php create_application (`dockerimage`): always these two.
  git_repository: "coollabsio/coolify",
  git_branch: "main",
};

/** Settings the ApplicationSetting schema lists; request flags with these names are stored there. */
const SETTING_KEYS = new Set([
  "is_static", "is_git_submodules_enabled", "is_git_lfs_enabled", "is_auto_deploy_enabled", "is_force_https_enabled",
  "is_preview_deployments_enabled", "is_log_drain_enabled", "is_gpu_enabled", "is_raw_compose_deployment_enabled",
  "is_consistent_container_name_enabled", "is_gzip_enabled", "is_stripprefix_enabled", "connect_to_docker_network",
  "is_container_label_escape_enabled", "is_env_sorting_enabled", "is_preserve_repository_enabled", "disable_build_cache",
  "is_spa", "is_git_shallow_clone_enabled", "is_pr_deployments_public_enabled", "use_build_secrets",
  "inject_build_args_to_dockerfile", "include_source_commit_in_build", "docker_images_to_keep", "stop_grace_period",
]);

/**
 * The spec's Application schema with one fix: its `build_pack` enum omits "dockerimage", which is what the real
 * service stores (and answers) for applications created from a prebuilt image. Every other property is the spec's.
 */
function realApplicationSchema(): object {
  const spec = JSON.parse(readFileSync(COOLIFY_SPEC, "utf8")) as { components: { schemas: { Application: { properties: Record<string, unknown> } } } };
  const properties: Record<string, unknown> = {};
  for (const name of Object.keys(spec.components.schemas.Application.properties)) {
    properties[name] = { $ref: `#/components/schemas/Application/properties/${name}` };
  }
  properties.build_pack = { type: "string", enum: ["nixpacks", "railpack", "static", "dockerfile", "dockercompose", "dockerimage"] };
  return { type: "object", properties };
}
export const APPLICATION = realApplicationSchema();

/**
 * Coolify v4.3.10 app/Models/Application.php $hidden: left out of every answer unless the token may read
 * sensitive data (ApplicationsController.php removeSensitiveData makes them visible again for `root` and
 * `read:sensitive`). The keys are absent, not null.
 */
const HIDDEN = [
  "http_basic_auth_password", "manual_webhook_secret_github", "manual_webhook_secret_gitlab", "manual_webhook_secret_bitbucket",
  "manual_webhook_secret_gitea", "dockerfile", "docker_compose", "docker_compose_raw", "custom_labels", "domain_dns_statuses",
];

export function applicationJson(state: CoolifyState, app: ApplicationRecord, sensitive: boolean): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const k of Object.keys(APP_DEFAULTS)) config[k] = k in app.config ? app.config[k] : APP_DEFAULTS[k];
  if (!sensitive) for (const k of HIDDEN) delete config[k];
  const settings: Record<string, unknown> = { is_force_https_enabled: true, is_auto_deploy_enabled: true };
  for (const [k, v] of Object.entries(app.config)) if (SETTING_KEYS.has(k)) settings[k] = v;
  return {
    id: app.id,
    uuid: app.uuid,
    name: app.name,
    description: app.description,
    fqdn: app.fqdn,
    environment_id: app.environment_id,
    destination_id: 0,
    destination_type: "App\\Models\\StandaloneDocker",
    build_pack: "dockerimage",
    docker_registry_image_name: app.docker_registry_image_name,
    docker_registry_image_tag: app.docker_registry_image_tag,
    ...config,
    health_check_type: "http",
    health_check_command: null,
    status: applicationStatus(state, app),
    settings,
    created_at: app.created_at,
    updated_at: app.updated_at,
    deleted_at: null,
  };
}

