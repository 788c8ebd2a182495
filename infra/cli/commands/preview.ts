import { renderPreview, type PreviewReport } from "../markdown";
import { changeCollector, openStack, plain, type Log } from "../workspace";

/** `pulumi preview --diff` of one stack, summarised as Markdown for a PR comment. */
export async function previewStack(stackName: string, log: Log): Promise<PreviewReport> {
  const { stack } = await openStack(stackName);
  const collector = changeCollector();
  const result = await stack.preview({ diff: true, color: "never", onEvent: collector.onEvent, onOutput: (out) => log(plain(out).trimEnd()) });
  return {
    stack: stackName,
    summary: result.changeSummary as Record<string, number>,
    changes: collector.changes,
    diff: plain(result.stdout),
  };
}

export async function previewCommand(stackName: string, log: Log, print: Log): Promise<number> {
  const report = await previewStack(stackName, log);
  print(renderPreview(report));
  return 0;
}
