import { z } from "zod";
import { createOnce, defineProvider, diffFields } from "../provider";
import { createFlyClient, isFlyStatus, toFlyError, unwrapParsed, type FlyClient } from "./client";
import { connectionSchema } from "./machine-spec";
import { certificateSchema } from "./responses";
import { hostnameSchema } from "../rules";

/** Dynamic provider of a Fly-managed (ACME) certificate for a custom domain. Id: the hostname. */

export const certificateInputsSchema = z.object({
  connection: connectionSchema,
  app: z.string().min(1),
  // The same host-name rule as slipway:domains and CoolifyApplication's domains (components/rules.ts).
  hostname: hostnameSchema,
});
export type CertificateInputs = z.infer<typeof certificateInputsSchema>;

type Certificate = z.infer<typeof certificateSchema>;

interface CertificateStatus {
  status: string;
  dnsRequirements: { a: string[]; aaaa: string[]; cname?: string };
}
export type CertificateOutputs = CertificateInputs & CertificateStatus;

function describe(cert: Certificate): CertificateStatus {
  const req = cert.dns_requirements;
  return {
    status: cert.status ?? (cert.configured ? "configured" : "pending"),
    dnsRequirements: { a: req?.a ?? [], aaaa: req?.aaaa ?? [], ...(req?.cname ? { cname: req.cname } : {}) },
  };
}

async function getCertificate(client: FlyClient, app: string, hostname: string): Promise<Certificate | undefined> {
  try {
    return await unwrapParsed(
      `get certificate ${hostname}`,
      certificateSchema,
      client.GET("/v1/apps/{app_name}/certificates/{hostname}", { params: { path: { app_name: app, hostname } } }),
    );
  } catch (error) {
    if (isFlyStatus(error, 404)) return undefined;
    throw error;
  }
}

export const flyCertificateProvider = defineProvider<CertificateInputs, CertificateOutputs>({
  resource: "FlyCertificate",
  schema: certificateInputsSchema,
  nameOf: (inputs) => inputs.hostname,
  diff: (olds, news) => diffFields(olds, news, { app: { kind: "replace" }, hostname: { kind: "replace" } }),
  async create(inputs) {
    const client = createFlyClient(inputs.connection);
    const find = async (): Promise<Certificate[]> => {
      const found = await getCertificate(client, inputs.app, inputs.hostname);
      return found ? [found] : [];
    };
    // A certificate that already exists (an earlier attempt whose answer was lost) is adopted.
    const cert =
      (await find())[0] ??
      (await createOnce({
        what: `FlyCertificate ${inputs.hostname}`,
        attempt: async () => {
          const { data, error, response } = await client.POST("/v1/apps/{app_name}/certificates/acme", {
            params: { path: { app_name: inputs.app } },
            body: { hostname: inputs.hostname },
          });
          if (!response.ok) throw toFlyError(`request a certificate for ${inputs.hostname}`, response.status, error);
          return certificateSchema.parse(data);
        },
        findExisting: find,
        key: (c) => c.hostname,
        baseline: false,
      }));
    return { id: inputs.hostname, outs: { ...inputs, ...describe(cert) } };
  },
  async read(id, props) {
    const cert = await getCertificate(createFlyClient(props.connection), props.app, id);
    return cert ? { ...props, ...describe(cert) } : undefined;
  },
  async delete(id, props) {
    const { error, response } = await createFlyClient(props.connection).DELETE("/v1/apps/{app_name}/certificates/{hostname}", {
      params: { path: { app_name: props.app, hostname: id } },
    });
    if (!response.ok && response.status !== 404) throw toFlyError(`delete certificate ${id}`, response.status, error);
  },
});
