import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

/** A real SMTP server on loopback (smtp-server) that requires AUTH and keeps every mail it accepts, parsed. */
export interface SmtpReceiver {
  readonly port: number;
  /** Accepted mails, in order. */
  readonly mails: ParsedMail[];
  /** Successful and refused logins alike, with whether the session was on TLS (STARTTLS) when it logged in. */
  readonly logins: Array<{ user: string; secure: boolean }>;
  /** Forgets the mails and logins seen so far. */
  reset(): void;
  close(): Promise<void>;
}

export interface SmtpReceiverOptions {
  user: string;
  password: string;
  /** The certificate STARTTLS offers. @default smtp-server's built-in self-signed one */
  tls?: { key: Buffer; cert: Buffer };
}

export async function startSmtpReceiver(o: SmtpReceiverOptions): Promise<SmtpReceiver> {
  const mails: ParsedMail[] = [];
  const logins: Array<{ user: string; secure: boolean }> = [];
  const server = new SMTPServer({
    ...o.tls,
    authMethods: ["PLAIN", "LOGIN"],
    onAuth(auth, session, cb) {
      logins.push({ user: auth.username ?? "", secure: session.secure });
      if (auth.username === o.user && auth.password === o.password) cb(null, { user: auth.username });
      else cb(new Error("Invalid username or password"));
    },
    onData(stream, _session, cb) {
      simpleParser(stream).then((m) => {
        mails.push(m);
        cb();
      }, cb);
    },
    logger: false,
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    logins,
    reset() {
      mails.length = 0;
      logins.length = 0;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
