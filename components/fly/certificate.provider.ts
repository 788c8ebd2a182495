import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { createFlyClient, isFlyStatus, toFlyError, unwrapParsed, type FlyClient } from "./client";
import { checkInputs } from "./check";
import { diffFields } from "./diff";
import { connectionSchema } from "./machine-spec";
import { certificateSchema } from "./responses";

/** Dynamic provider of a Fly-managed (ACME) certificate for a custom domain. Id: the hostname. */

export const certificateInputsSchema = z.object({
  connection: connectionSchema,
  app: z.string().min(1),
  hostname: z.string().regex(/^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z]{2,}$/i, "expected a DNS hostname"),
});
export type CertificateInputs = z.infer<typeof certificateInputsSchema>;

type Certificate = z.infer<typeof certificateSchema>;

function describe(cert: Certificate): { status: string; dnsRequirements: { a: string[]; aaaa: string[]; cname?: string } } {
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

export const flyCertificateProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return checkInputs(certificateInputsSchema, news);
  },
  async diff(_id, olds, news) {
    return diffFields(olds, news, { fields: ["app", "hostname"], replaceOn: ["app", "hostname"] });
  },
  async create(raw) {
    const inputs = certificateInputsSchema.parse(raw);
    const client = createFlyClient(inputs.connection);
    // A certificate that already exists (an earlier attempt whose answer was lost) is adopted.
    let cert = await getCertificate(client, inputs.app, inputs.hostname);
    if (!cert) {
      const { data, error, response } = await client.POST("/v1/apps/{app_name}/certificates/acme", {
        params: { path: { app_name: inputs.app } },
        body: { hostname: inputs.hostname },
      });
      if (response.ok) cert = certificateSchema.parse(data);
      else {
        cert = await getCertificate(client, inputs.app, inputs.hostname);
        if (!cert) throw toFlyError(`request a certificate for ${inputs.hostname}`, response.status, error);
      }
    }
    return { id: inputs.hostname, outs: { ...inputs, ...describe(cert) } };
  },
  async read(id, props) {
    const inputs = certificateInputsSchema.parse(props);
    const cert = await getCertificate(createFlyClient(inputs.connection), inputs.app, id).catch((error: unknown) => {
      if (isFlyStatus(error, 404)) return undefined;
      throw error;
    });
    return cert ? { id, props: { ...props, ...describe(cert) } } : { id: "", props: {} };
  },
  async update(_id, olds, news) {
    // Computed outputs (ids, status) carry over; only the token can have changed.
    return { outs: { ...olds, ...news } };
  },
  async delete(id, props) {
    const inputs = certificateInputsSchema.parse(props);
    const { error, response } = await createFlyClient(inputs.connection).DELETE("/v1/apps/{app_name}/certificates/{hostname}", {
      params: { path: { app_name: inputs.app, hostname: id } },
    });
    if (!response.ok && response.status !== 404) throw toFlyError(`delete certificate ${id}`, response.status, error);
  },
};
