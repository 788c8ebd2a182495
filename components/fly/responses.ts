import { z } from "zod";

/**
 * The parts of Fly's answers the providers rely on, validated at the boundary. Objects are loose: Fly adds
 * fields over time, and only a missing or mistyped field we read is an error.
 */

export const checkStatusSchema = z.object({ name: z.string(), status: z.string(), output: z.string().optional() }).loose();

export const machineSchema = z
  .object({
    id: z.string(),
    state: z.string(),
    region: z.string().optional(),
    version: z.string().optional(),
    instance_id: z.string().optional(),
    private_ip: z.string().optional(),
    cordoned: z.boolean().optional(),
    checks: z.array(checkStatusSchema).nullish(),
    config: z
      .object({
        image: z.string().optional(),
        metadata: z.record(z.string(), z.string()).nullish(),
      })
      .loose()
      .optional(),
    events: z.array(z.object({ type: z.string().optional(), status: z.string().optional(), request: z.unknown().optional() }).loose()).nullish(),
  })
  .loose();
export type MachineView = z.infer<typeof machineSchema>;

/** `version` is the concurrency token; older API builds only send `instance_id`. */
export function machineVersion(machine: MachineView): string | undefined {
  return machine.version ?? machine.instance_id;
}

export const machineListSchema = z.array(machineSchema);

const leaseFields = z.object({ nonce: z.string(), owner: z.string().optional(), expires_at: z.number().optional() }).loose();

/**
 * The OpenAPI description returns the lease itself, but the live service (and its docs' examples) wrap it as
 * `{ status: "success", data: { nonce, … } }`. Accept both and hand back the lease.
 */
export const leaseSchema = z
  .union([leaseFields, z.object({ data: leaseFields }).loose()])
  .transform((body) => ("data" in body && typeof body.data === "object" ? (body.data as z.infer<typeof leaseFields>) : (body as z.infer<typeof leaseFields>)));

export const appSchema = z
  .object({
    id: z.string().optional(),
    name: z.string(),
    organization: z.object({ slug: z.string().optional(), name: z.string().optional() }).loose().nullish(),
    status: z.string().optional(),
  })
  .loose();

export const volumeSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    region: z.string(),
    size_gb: z.number(),
    state: z.string().optional(),
    snapshot_retention: z.number().optional(),
    auto_backup_enabled: z.boolean().optional(),
    encrypted: z.boolean().optional(),
    attached_machine_id: z.string().nullish(),
  })
  .loose();
export type VolumeView = z.infer<typeof volumeSchema>;

export const secretsUpdateSchema = z.object({ version: z.number().optional(), Version: z.number().optional() }).loose();

export const ipListSchema = z.object({
  ips: z.array(z.object({ ip: z.string(), type: z.string().optional(), shared: z.boolean().optional(), network: z.unknown().optional() }).loose()).nullish(),
}).loose();

export const certificateSchema = z
  .object({
    hostname: z.string(),
    status: z.string().optional(),
    configured: z.boolean().optional(),
    dns_requirements: z
      .object({ a: z.array(z.string()).nullish(), aaaa: z.array(z.string()).nullish(), cname: z.string().nullish() })
      .loose()
      .nullish(),
  })
  .loose();
