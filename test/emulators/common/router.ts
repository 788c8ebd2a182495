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
    // "/projects/{uuid}/environments" must win over "/projects/{uuid}/{environment_name_or_uuid}".
    this.compiled.sort((a, b) => {
      for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
        const la = a.segments[i]?.literal !== undefined;
        const lb = b.segments[i]?.literal !== undefined;
        if (la !== lb) return la ? -1 : 1;
      }
      return 0;
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
