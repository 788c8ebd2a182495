/**
 * Finds secrets and platform credentials written in plaintext into `slipway:` config. A stack file is
 * committed to git, so a token in it is leaked the moment it is pushed; catching it here, before any
 * resource exists, is the last chance. Findings never include the value itself, only its type and length.
 */

/** A path inside one config key: map keys and list indexes. */
export type ConfigPath = ReadonlyArray<string | number>;

export interface Finding {
  /** Config key, e.g. `slipway:app`. */
  key: string;
  path: ConfigPath;
  message: string;
}

/** Word-ish parts of a key: `stripeApiKey` → stripe, api, key; `DATABASE_URL` → database, url. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** Schema fields whose names mention secrets but that hold secret NAMES, never values. */
const NAME_LIST_FIELDS = new Set(["secretEnv", "secrets", "passwordSecret", "urlSecret"]);

/** Key names that announce a secret value, whatever the value looks like. */
export function isSecretLookingKey(key: string): boolean {
  if (NAME_LIST_FIELDS.has(key)) return false;
  const w = words(key);
  const joined = w.join("_");
  return (
    w.some((x) => ["token", "password", "passwd", "pwd", "secret", "credential", "credentials", "dsn", "passphrase", "apikey"].includes(x)) ||
    /(^|_)(api|private|access|secret|signing|encryption|master|license)_key($|_)/.test(joined) ||
    w[w.length - 1] === "key" ||
    joined === "database_url" ||
    /(^|_)(db|postgres|redis|mongo|amqp)_url$/.test(joined)
  );
}

/** Values that are secrets whatever their key is called: vendor token formats, keys, URLs with a password. */
export function isSecretLookingValue(value: string): boolean {
  return (
    /^(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}$/.test(value) ||
    /^github_pat_[A-Za-z0-9_]{20,}$/.test(value) ||
    /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value) ||
    /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i.test(value) || // scheme://user:password@host (DSNs)
    /^(sk|rk)_(live|test)_[A-Za-z0-9]{10,}$/.test(value) || // Stripe
    /^xox[abprs]-[A-Za-z0-9-]{10,}$/.test(value) || // Slack
    /^AKIA[0-9A-Z]{16}$/.test(value) || // AWS access key id
    /^FlyV1 \S{20,}$/.test(value) ||
    /^fo1_[A-Za-z0-9_-]{20,}$/.test(value) || // Fly tokens
    /^\d+\|[A-Za-z0-9]{30,}$/.test(value) || // Laravel Sanctum tokens, which is what Coolify issues
    /^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}$/.test(value) // JWTs
  );
}

/** How a value is described when it must not be shown: its type and, for strings, its length. */
export function describeHidden(value: unknown): string {
  if (typeof value === "string") return `a string (${value.length} chars)`;
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return `a list (${value.length} items)`;
  return value === null ? "null" : `a ${typeof value}`;
}

const PLATFORMS = {
  coolify: { token: "coolify:token", url: "coolify:url", envToken: "COOLIFY_TOKEN", envUrl: "COOLIFY_URL" },
  fly: { token: "fly:token", url: "fly:apiUrl", envToken: "FLY_API_TOKEN", envUrl: "FLY_API_URL" },
  github: { token: "github:token", url: "github:baseUrl", envToken: "GITHUB_TOKEN", envUrl: "GITHUB_API_URL" },
} as const;
type Platform = keyof typeof PLATFORMS;

const CREDENTIAL_KEY = /^(api_?)?(token|key|url|endpoint|base_?url|access_?token|auth_?token)$/i;

/** The platform whose credential a key names, judging by where it sits (`targets.fly.token`, `github.token`). */
function credentialPlatform(section: string, parent: ConfigPath, leaf: string): Platform | undefined {
  if (!CREDENTIAL_KEY.test(leaf)) return undefined;
  if (section === "targets" && parent.length === 1 && (parent[0] === "coolify" || parent[0] === "fly")) return parent[0];
  if (section === "github" && parent.length === 0) return "github";
  return undefined;
}

/** A whole key named after a credential: `slipway:flyToken`, `slipway:coolify_url`. */
function topLevelCredential(section: string): Platform | undefined {
  const m = /^(coolify|fly|github)_?(api_?)?(token|url|key|base_?url)$/i.exec(section);
  return m ? ((m[1] ?? "").toLowerCase() as Platform) : undefined;
}

function credentialMessage(platform: Platform, leaf: string, value: unknown): string {
  const p = PLATFORMS[platform];
  const isUrl = /url|endpoint/i.test(leaf);
  const how = isUrl
    ? `\`pulumi config set ${p.url} <url>\` (or ${p.envUrl})`
    : `\`pulumi config set --secret ${p.token} <token>\` (or ${p.envToken})`;
  return `expected no platform credentials in slipway: config, got ${describeHidden(value)} — set the provider config instead: ${how}`;
}

/** The fix for a secret found at a path: env vars move into slipway:secrets, anything else becomes a secure key. */
function secretHint(section: string, path: ConfigPath): string {
  const leaf = String(path[path.length - 1] ?? "");
  if (section === "app" && path[0] === "env" && path.length === 2) {
    return `use \`pulumi config set --secret --path 'slipway:secrets.${leaf}' <value>\` and list ${leaf} in slipway:app.secretEnv`;
  }
  if (section === "github" && path[0] === "variables" && path.length === 2) {
    return `use \`pulumi config set --secret --path 'slipway:secrets.${leaf}' <value>\` and list ${leaf} in slipway:github.secrets`;
  }
  return `use \`pulumi config set --secret slipway:${section} …\` (the whole key becomes secure)`;
}

/**
 * Scans one plaintext (non-secure) `slipway:` key. `slipway:secrets` is handled separately by the caller:
 * all of it must be secure, whatever its values look like.
 */
export function scanPlaintext(key: string, value: unknown): Finding[] {
  const section = key.replace(/^slipway:/, "");
  const findings: Finding[] = [];
  const topCredential = topLevelCredential(section);
  if (topCredential && value !== undefined) {
    return [{ key, path: [], message: credentialMessage(topCredential, section, value) }];
  }
  const walk = (node: unknown, path: ConfigPath): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, [...path, i]));
      return;
    }
    if (node !== null && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) {
        const platform = credentialPlatform(section, path, k);
        if (platform) findings.push({ key, path: [...path, k], message: credentialMessage(platform, k, v) });
        else walk(v, [...path, k]);
      }
      return;
    }
    if (typeof node !== "string" || node === "") return;
    const leaf = path[path.length - 1];
    const keyed = typeof leaf === "string" && isSecretLookingKey(leaf);
    if (keyed || isSecretLookingValue(node)) {
      findings.push({
        key,
        path,
        message: `expected no secret in plaintext config, got ${describeHidden(node)} — ${secretHint(section, path)}`,
      });
    }
  };
  walk(value, []);
  return findings;
}

/** How a non-secret value is shown in an error: JSON-ish, cut short so one line stays one line. */
export function showValue(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
