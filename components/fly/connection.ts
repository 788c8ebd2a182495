import * as pulumi from "@pulumi/pulumi";

/** Where the Fly Machines API lives and the token that may call it. */
export interface FlyConnection {
  /** Origin of the Machines API; paths carry the `/v1` prefix. @example "https://api.machines.dev" */
  apiUrl: string;
  /** A Fly API token (deploy or org token). Always handled as a Pulumi secret. */
  token: string;
}

/** The same, as component inputs. */
export interface FlyConnectionArgs {
  /** @default `fly:apiUrl` config, else `FLY_API_URL`, else "https://api.machines.dev" */
  apiUrl?: pulumi.Input<string>;
  /** @default `fly:token` config, else `FLY_API_TOKEN`; the component makes it a secret either way */
  token?: pulumi.Input<string>;
}

export const DEFAULT_FLY_API_URL = "https://api.machines.dev";

/**
 * Resolves the connection every Fly dynamic resource receives. The token is wrapped in `pulumi.secret` so
 * the engine encrypts it in state even when it came from a plain environment variable.
 */
export function resolveFlyConnection(
  component: string,
  args: FlyConnectionArgs | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { apiUrl: pulumi.Output<string>; token: pulumi.Output<string> } {
  const config = new pulumi.Config("fly");
  const apiUrl: pulumi.Input<string> =
    args?.apiUrl ?? config.get("apiUrl") ?? env.FLY_API_URL ?? DEFAULT_FLY_API_URL;
  const token: pulumi.Input<string> | undefined = args?.token ?? config.getSecret("token") ?? env.FLY_API_TOKEN;
  if (token === undefined || token === "") {
    throw new Error(
      `${component}: no Fly API token; set it with \`pulumi config set --secret fly:token <token>\` or FLY_API_TOKEN`,
    );
  }
  // Only the token is secret: the URL stays readable in diffs (a changed URL replaces the resource).
  return { apiUrl: pulumi.output(apiUrl), token: pulumi.secret(token) };
}
