import * as pulumi from "@pulumi/pulumi";

/** How a Coolify dynamic resource reaches the API. The token travels as a Pulumi secret. */
export interface CoolifyConnection {
  /** Base URL of the API, including `/api/v1`, e.g. `https://coolify.example.com/api/v1`. */
  apiUrl: string;
  /** API token (Keys & Tokens in the Coolify UI), with write and deploy permission. */
  token: string;
}

/** What a component accepts; anything left out falls back to provider config, then the environment. */
export interface CoolifyConnectionArgs {
  /**
   * Base URL of the Coolify API.
   * @default `coolify:url` from stack config, else `COOLIFY_URL` from the environment
   * @example "https://coolify.example.com/api/v1"
   */
  apiUrl?: pulumi.Input<string>;
  /**
   * API token; always stored as a secret.
   * @default `coolify:token` (a secret) from stack config, else `COOLIFY_TOKEN` from the environment
   */
  token?: pulumi.Input<string>;
}

/**
 * Resolves the connection a dynamic resource gets as its `connection` input. The token is wrapped in
 * `pulumi.secret` whatever its source, so it is encrypted in state even when it came from the environment.
 * Throws when either part is missing anywhere: a deploy without credentials cannot do anything useful.
 */
export function resolveCoolifyConnection(
  given: CoolifyConnectionArgs | undefined,
): { apiUrl: pulumi.Output<string>; token: pulumi.Output<string> } {
  const config = new pulumi.Config("coolify");
  const apiUrl: pulumi.Input<string> | undefined = given?.apiUrl ?? config.get("url") ?? process.env.COOLIFY_URL;
  const token: pulumi.Input<string> | undefined =
    given?.token ?? config.getSecret("token") ?? nonEmpty(process.env.COOLIFY_TOKEN);
  if (apiUrl === undefined || apiUrl === "") {
    throw new Error("Coolify API URL is missing: set `coolify:url` in stack config or COOLIFY_URL in the environment");
  }
  if (token === undefined) {
    throw new Error(
      "Coolify token is missing: run `pulumi config set --secret coolify:token …` or set COOLIFY_TOKEN in the environment",
    );
  }
  // Only the token is secret: the URL stays readable in diffs, where a changed URL means a replacement.
  return { apiUrl: pulumi.output(apiUrl).apply((url) => url.replace(/\/+$/, "")), token: pulumi.secret(token) };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
