/** Matches request paths to OpenAPI path templates, preferring literal segments over parameters. */
export interface TemplateMatch {
  template: string;
  params: Record<string, string>;
}

interface Compiled {
  template: string;
  segments: { literal?: string; param?: string }[];
}

export class TemplateRouter {
  private readonly compiled: Compiled[];

  constructor(templates: Iterable<string>) {
    this.compiled = [...new Set(templates)].map((template) => ({
      template,
      segments: template
        .split("/")
        .slice(1)
        .map((s) => {
          const m = /^\{([^}]+)\}$/.exec(s);
          return m ? { param: m[1] } : { literal: s };
        }),
    }));
    // "/projects/{uuid}/environments" must win over "/projects/{uuid}/{environment_name_or_uuid}": at the first
    // segment where two templates differ in kind, the literal one goes first. Templates of different lengths
    // never compete for a path, so they are ordered by length first; that keeps the order a total one (the
    // comparison used to answer "equal" across lengths, which is not transitive and let sort() put
    // "/projects/{uuid}/{environment_name_or_uuid}" before "/projects/{uuid}/envs").
    this.compiled.sort((a, b) => {
      if (a.segments.length !== b.segments.length) return a.segments.length - b.segments.length;
      for (let i = 0; i < a.segments.length; i++) {
        const la = a.segments[i]?.literal !== undefined;
        const lb = b.segments[i]?.literal !== undefined;
        if (la !== lb) return la ? -1 : 1;
      }
      return a.template < b.template ? -1 : a.template > b.template ? 1 : 0;
    });
  }

  match(path: string): TemplateMatch | undefined {
    const parts = path.split("/").slice(1);
    for (const c of this.compiled) {
      if (c.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = c.segments[i];
        const part = parts[i] ?? "";
        if (seg?.literal !== undefined) ok = seg.literal === part;
        else if (seg?.param !== undefined && part !== "") {
          try {
            params[seg.param] = decodeURIComponent(part);
          } catch {
            ok = false;
          }
        } else ok = false;
      }
      if (ok) return { template: c.template, params };
    }
    return undefined;
  }
}
