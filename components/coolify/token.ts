/**
 * What slipway needs from a Coolify API token, checked once before its first write so that a token without
 * them fails with one message naming every missing ability, instead of a 403 halfway through an update.
 *
 * Coolify v4.3.10 routes/api.php gives every route one ability: reads need `read`, writes `write`, starting a
 * deployment `deploy`; app/Http/Middleware/ApiAbility.php lets a `root` token through everywhere and answers
 * everything else without the ability with 403 "Missing required permissions: <ability>". The ability check
 * runs before the controller, so each probe below is refused (403) without the ability and otherwise reaches a
 * controller that changes nothing: a list, an update of an application that cannot exist, a deploy of nothing.
 * `read:sensitive` is not needed: slipway never depends on reading a secret back (see envvars.ts).
 */
export const NEEDED_ABILITIES = ["read", "write", "deploy"] as const;
export type NeededAbility = (typeof NEEDED_ABILITIES)[number];

/** A uuid no Coolify resource can have (theirs are 24 lowercase alphanumerics). */
const NO_SUCH_APP = "slipway-token-check";

export const TOKEN_HELP =
  "Create one in Coolify under Keys & Tokens → API tokens with the permissions read, write and deploy " +
  "(tick deploy first: ticking it clears the others), or root; then set COOLIFY_TOKEN / slipway:coolify.token to it.";

export class CoolifyTokenError extends Error {
  constructor(
    readonly apiUrl: string,
    readonly missing: readonly NeededAbility[],
  ) {
    super(`Coolify API token for ${apiUrl} lacks the ${missing.join(", ")} permission${missing.length > 1 ? "s" : ""} slipway needs. ${TOKEN_HELP}`);
    this.name = "CoolifyTokenError";
  }
}

/** Sends one request with the token and answers its status; the caller builds the Request. */
export type Probe = (request: Request) => Promise<Response>;

/** The abilities the token lacks, from three harmless requests sent at once. */
export async function missingAbilities(apiUrl: string, send: Probe): Promise<NeededAbility[]> {
  const base = apiUrl.replace(/\/+$/, "");
  const probes: Record<NeededAbility, Request> = {
    read: new Request(`${base}/projects`, { method: "GET" }),
    // update_by_uuid looks the application up first: 404 "Application not found", nothing written.
    write: new Request(`${base}/applications/${NO_SUCH_APP}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ description: "slipway token check" }),
    }),
    // No uuid and no tag: DeployController.php answers 400 "You must provide uuid or tag." and queues nothing.
    deploy: new Request(`${base}/deploy`, { method: "POST" }),
  };
  const statuses = await Promise.all(
    NEEDED_ABILITIES.map(async (ability) => {
      const response = await send(probes[ability]);
      await response.body?.cancel();
      return [ability, response.status] as const;
    }),
  );
  return statuses.filter(([, status]) => status === 403).map(([ability]) => ability);
}

const checked = new Map<string, Promise<void>>();

/**
 * Resolves when the token has every needed ability, rejects with one CoolifyTokenError otherwise. Runs once
 * per API and token in a process; a check that could not be made (network) is forgotten and made again.
 */
export function ensureTokenAbilities(apiUrl: string, token: string, send: Probe): Promise<void> {
  const key = `${apiUrl}\n${token}`;
  let pending = checked.get(key);
  if (!pending) {
    pending = missingAbilities(apiUrl, send).then((missing) => {
      if (missing.length > 0) throw new CoolifyTokenError(apiUrl, missing);
    });
    pending.catch((error: unknown) => {
      if (!(error instanceof CoolifyTokenError)) checked.delete(key);
    });
    checked.set(key, pending);
  }
  return pending;
}
