/**
 * The two notification channels: e-mail through the team's SMTP server (nodemailer) and a JSON webhook.
 * Both are bounded: one connection/request each with a timeout, the webhook retried at most twice on
 * 429/5xx. A channel's failure is reported, never thrown at the deploy (see notify.ts).
 */
import nodemailer from "nodemailer";
import { plainText, headline, webhookBody, type DeployNotice } from "./message";

export interface SmtpTarget {
  host: string;
  port: number;
  /** Implicit TLS (465); otherwise STARTTLS is required before anything is sent. */
  tls: boolean;
  auth?: { user: string; pass: string };
  from: string;
  to: string[];
  /** For tests against a local server with a self-signed certificate. @default true */
  rejectUnauthorized?: boolean;
  timeoutMs?: number;
}

export async function sendEmail(target: SmtpTarget, notice: DeployNotice): Promise<string> {
  const timeout = target.timeoutMs ?? 15_000;
  const transport = nodemailer.createTransport({
    host: target.host,
    port: target.port,
    secure: target.tls,
    // A password must never cross the network in the clear: STARTTLS is mandatory when TLS is not implicit.
    requireTLS: !target.tls,
    auth: target.auth,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    tls: { rejectUnauthorized: target.rejectUnauthorized ?? true },
  });
  try {
    const info = await transport.sendMail({ from: target.from, to: target.to, subject: `[slipway] ${headline(notice)}`, text: plainText(notice) });
    return info.messageId;
  } finally {
    transport.close();
  }
}

export async function postWebhook(url: string, notice: DeployNotice, options: { timeoutMs?: number; retryDelayMs?: number } = {}): Promise<number> {
  const body = JSON.stringify(webhookBody(notice));
  let status = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, (options.retryDelayMs ?? 1000) * attempt));
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    status = response.status;
    await response.arrayBuffer(); // drain, so the connection is released
    if (response.ok) return status;
    if (status !== 429 && status < 500) break;
  }
  throw new Error(`webhook answered ${status}`);
}
