/**
 * Finding what a create may already have made: resources are matched by name inside their environment.
 * Coolify reports an application's or database's environment as a numeric `environment_id`, while slipway
 * holds the environment's uuid, so the id is read from the environment first.
 */
import { okOrMissing, type CoolifyClient } from "./client";

export async function environmentIdOf(client: CoolifyClient, projectUuid: string, environmentUuid: string): Promise<number | undefined> {
  const reply = await client.GET("/projects/{uuid}/{environment_name_or_uuid}", {
    params: { path: { uuid: projectUuid, environment_name_or_uuid: environmentUuid } },
  });
  const env = okOrMissing("GET /projects/{uuid}/{environment}", reply) as { id?: unknown } | undefined;
  return typeof env?.id === "number" ? env.id : undefined;
}

/** uuids of the items named `name` in the environment (any environment when either side does not say). */
export function namedInEnvironment(
  items: readonly { uuid: string; name: string; environment_id?: number | null }[],
  name: string,
  environmentId: number | undefined,
): string[] {
  return items
    .filter((i) => i.name === name)
    .filter((i) => environmentId === undefined || i.environment_id == null || i.environment_id === environmentId)
    .map((i) => i.uuid);
}
