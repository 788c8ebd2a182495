/**
 * zod schemas at the providers' two boundaries: what the engine hands a provider (untyped JSON that an
 * older slipway may have written) and what Coolify answers (only the fields a provider relies on; extra
 * fields pass, because Coolify adds fields between releases).
 */
import { z } from "zod";
import {
  domainSchema, envNameSchema, healthCheckTiming, httpPathSchema, imageRefSchema, int, mountPathSchema, pinnedImageSchema, portMappingSchema, portSchema,
  retentionDaysSchema, scheduleSchema, sqlIdentifierSchema, volumeNameSchema,
} from "../rules";

export const connectionSchema = z.object({ apiUrl: z.string().url(), token: z.string().min(1) });

export const limitsSchema = z.object({ cpus: z.string().optional(), memory: z.string().optional() });

export const healthCheckSchema = z.object({
  // The value rules are components/rules.ts's, the same the stack config's slipway:app.healthCheck parses with.
  path: httpPathSchema,
  port: portSchema.optional(),
  intervalSeconds: healthCheckTiming.intervalSeconds,
  timeoutSeconds: healthCheckTiming.timeoutSeconds,
  retries: int(1),
  startPeriodSeconds: healthCheckTiming.gracePeriodSeconds,
  returnCode: z.number().int().min(100).max(599),
});

export const projectInputsSchema = z.object({
  connection: connectionSchema,
  name: z.string().min(1),
  description: z.string().optional(),
  environmentName: z.string().min(1),
});

export const applicationInputsSchema = z.object({
  connection: connectionSchema,
  /** `<project>/<stack>/<resource>`: what the ownership mark is made from (components/mark.ts). */
  owner: z.string().min(1).optional(),
  projectUuid: z.string().min(1),
  environmentUuid: z.string().min(1),
  environmentName: z.string().min(1),
  serverUuid: z.string().min(1),
  destinationUuid: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  image: pinnedImageSchema,
  // Host names only (an optional `:port` sends the domain to that container port, see validate.ts domainError):
  // the component strips `https://`; anything else (http://, paths, wildcards) is a mistake.
  domains: z.array(domainSchema),
  ports: z.array(portSchema).min(1),
  portMappings: z.array(portMappingSchema),
  healthCheck: healthCheckSchema.optional(),
  limits: limitsSchema.optional(),
  preDeploymentCommand: z.string().optional(),
  postDeploymentCommand: z.string().optional(),
  env: z.record(envNameSchema, z.string()),
  secretEnv: z.record(envNameSchema, z.string()),
  volumes: z.array(z.object({ name: volumeNameSchema, mountPath: mountPathSchema })).optional(),
  githubWebhookSecret: z.string().optional(),
  deploy: z.boolean(),
});

/** Coolify's count limit on local backups; 0: no limit by count (only the days decide). */
export const backupRetentionAmountSchema = int(0);

export const backupInputsSchema = z.object({
  schedule: scheduleSchema,
  retentionDays: retentionDaysSchema,
  retentionAmount: backupRetentionAmountSchema,
});

export const databaseInputsSchema = z.object({
  connection: connectionSchema,
  /** `<project>/<stack>/<resource>`: what the ownership mark is made from (components/mark.ts). */
  owner: z.string().min(1).optional(),
  projectUuid: z.string().min(1),
  environmentUuid: z.string().min(1),
  environmentName: z.string().min(1),
  serverUuid: z.string().min(1),
  destinationUuid: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  image: imageRefSchema(),
  user: sqlIdentifierSchema,
  databaseName: sqlIdentifierSchema,
  password: z.string().min(1),
  limits: limitsSchema.optional(),
  backup: backupInputsSchema.optional(),
});

// --- replies -------------------------------------------------------------------------------------------

export const uuidReply = z.looseObject({ uuid: z.string().min(1) });

export const projectReply = z.looseObject({
  uuid: z.string(),
  name: z.string(),
  description: z.string().nullish(),
});

export const environmentReply = z.looseObject({
  id: z.number().optional(),
  uuid: z.string().min(1),
  name: z.string(),
});

export const applicationReply = z.looseObject({
  uuid: z.string(),
  name: z.string(),
  description: z.string().nullish(),
  environment_id: z.number().nullish(),
  fqdn: z.string().nullish(),
  docker_registry_image_name: z.string().nullish(),
  docker_registry_image_tag: z.string().nullish(),
  ports_exposes: z.string().nullish(),
  ports_mappings: z.string().nullish(),
  health_check_enabled: z.boolean().nullish(),
  health_check_path: z.string().nullish(),
  health_check_port: z.union([z.string(), z.number()]).nullish(),
  health_check_interval: z.number().nullish(),
  health_check_timeout: z.number().nullish(),
  health_check_retries: z.number().nullish(),
  health_check_start_period: z.number().nullish(),
  health_check_return_code: z.number().nullish(),
  limits_cpus: z.string().nullish(),
  limits_memory: z.string().nullish(),
  pre_deployment_command: z.string().nullish(),
  post_deployment_command: z.string().nullish(),
  manual_webhook_secret_github: z.string().nullish(),
});
export type ApplicationReply = z.infer<typeof applicationReply>;

export const envVarReply = z.looseObject({
  uuid: z.string(),
  key: z.string(),
  value: z.string().nullish(),
  is_preview: z.boolean().nullish(),
});
export type EnvVarReply = z.infer<typeof envVarReply>;

export const deployReply = z.looseObject({
  deployments: z
    .array(z.looseObject({ deployment_uuid: z.string().min(1), resource_uuid: z.string().optional(), message: z.string().optional() }))
    .min(1),
});

/** GET /deployments/applications/{uuid}: newest first (Coolify v4.3.10 app/Models/Application.php deployments()). */
export const applicationDeploymentsReply = z.looseObject({
  deployments: z.array(z.looseObject({ deployment_uuid: z.string().min(1), status: z.string() })).default([]),
});

export const deploymentReply = z.looseObject({
  deployment_uuid: z.string().optional(),
  status: z.string(),
  logs: z.string().nullish(),
});

export const databaseReply = z.looseObject({
  uuid: z.string(),
  name: z.string(),
  description: z.string().nullish(),
  environment_id: z.number().nullish(),
  image: z.string().nullish(),
  postgres_user: z.string().nullish(),
  postgres_db: z.string().nullish(),
  postgres_password: z.string().nullish(),
  internal_db_url: z.string().nullish(),
  limits_cpus: z.string().nullish(),
  limits_memory: z.string().nullish(),
  status: z.string().nullish(),
});
export type DatabaseReply = z.infer<typeof databaseReply>;

export const backupReply = z.looseObject({
  uuid: z.string(),
  frequency: z.string(),
  enabled: z.boolean().nullish(),
  database_backup_retention_days_locally: z.number().nullish(),
  database_backup_retention_amount_locally: z.number().nullish(),
});
export type BackupReply = z.infer<typeof backupReply>;

/**
 * Validates a reply, tolerating Coolify endpoints the spec types as `string` although they send JSON
 * (GET /databases, GET /databases/{uuid}/backups): a string body is parsed first.
 */
export function parseReply<T>(operation: string, schema: z.ZodType<T>, body: unknown): T {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      // Leave it as the string; the schema error below says what was expected.
    }
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
  throw new Error(`Coolify ${operation}: unexpected reply: ${problems}`);
}
