/**
 * Finding what a create may already have made: resources are matched by name inside their environment.
 * Coolify reports an application's or database's environment as a numeric `environment_id`, while slipway
 * holds the environment's uuid, so the id is read from the environment first.
 */
import { carriesMark, NotOursError } from "../mark";
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

/** uuids of the items whose description carries `mark` (anywhere: the mark already names stack and placement). */
export function marked(items: readonly { uuid: string; description?: string | null }[], mark: string): string[] {
  return items.filter((i) => carriesMark(i.description, mark)).map((i) => i.uuid);
}

/**
 * Before a create: an item of the same name in the environment that does not carry this create's mark was not
 * made by this resource — Coolify would refuse the duplicate (a domain taken) or hold two of them. Refused with
 * its name and uuid instead of taken over.
 */
export function refuseForeign(
  what: string,
  kind: string,
  items: readonly { uuid: string; name: string; description?: string | null; environment_id?: number | null }[],
  name: string,
  environmentId: number | undefined,
  mark: string,
): void {
  const foreign = items.filter((i) => namedInEnvironment([i], name, environmentId).length > 0 && !carriesMark(i.description, mark));
  if (foreign.length > 0) throw new NotOursError(what, foreign.map((i) => `Coolify ${kind} "${i.name}" (uuid ${i.uuid})`).join(", "));
}
