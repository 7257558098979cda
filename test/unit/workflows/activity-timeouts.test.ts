import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/**
 * No activity the workflows call may retry forever: every stub (proxyActivities and
 * proxyLocalActivities in workflows/) states a schedule-to-close, which bounds all its attempts
 * together. Read from the source with the TypeScript parser, so a new stub without one fails here.
 */
describe('activity stubs of the workflows', () => {
  const directory = join(__dirname, '../../../workflows');
  const stubs = readdirSync(directory)
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) => stubsIn(file, readFileSync(join(directory, file), 'utf8')));

  it('are found', () => {
    expect(stubs.length).toBeGreaterThanOrEqual(8);
  });

  it.each(stubs.map((stub) => [stub.where, stub]))('%s has a schedule-to-close', (_where, stub) => {
    expect(stub.options).toContain('scheduleToCloseTimeout');
  });

  // A worker that dies mid-attempt is only noticed when the attempt times out: past a minute, the
  // attempt must heartbeat (a crash test once waited 5 minutes on an exposure report lost with its worker).
  it.each(stubs.map((stub) => [stub.where, stub]))('%s notices a lost attempt within a minute', (_where, stub) => {
    const startToClose = /startToCloseTimeout: '(\d+) (seconds|minutes?)'/.exec(stub.text);
    // Without a start-to-close an attempt may last the whole schedule-to-close.
    const seconds = startToClose
      ? Number(startToClose[1]) * (startToClose[2]!.startsWith('minute') ? 60 : 1)
      : Number.POSITIVE_INFINITY;
    if (seconds > 60) expect(stub.options).toContain('heartbeatTimeout');
  });

  it('bounds notifications by attempts too, so an undeliverable one is told soon', () => {
    const messaging = stubs.find(
      (stub) => stub.where.startsWith('activity-stubs.ts') && stub.text.includes("'notify'"),
    );
    expect(messaging?.retry).toContain('maximumAttempts');
  });
});

interface Stub {
  where: string;
  text: string;
  options: string[];
  retry: string[];
}

function stubsIn(file: string, source: string): Stub[] {
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: Stub[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      ['proxyActivities', 'proxyLocalActivities'].includes(node.expression.text)
    ) {
      const [options] = node.arguments;
      const names = (literal: ts.Node | undefined) =>
        literal && ts.isObjectLiteralExpression(literal)
          ? literal.properties.map((property) => property.name?.getText(tree) ?? '')
          : [];
      // A retry policy written out, or built by activity-stubs.ts's backoff(initial, maximum, attempts?).
      const retryNames = (policy: ts.Node): string[] =>
        ts.isCallExpression(policy) && policy.expression.getText(tree) === 'backoff'
          ? ['initialInterval', 'maximumInterval', 'maximumAttempts'].slice(0, policy.arguments.length)
          : names(policy);
      const retry =
        options && ts.isObjectLiteralExpression(options)
          ? options.properties.find((property) => property.name?.getText(tree) === 'retry')
          : undefined;
      const line = tree.getLineAndCharacterOfPosition(node.getStart(tree)).line + 1;
      found.push({
        where: `${file}:${line}`,
        text: node.getText(tree),
        options: names(options),
        retry: retry && ts.isPropertyAssignment(retry) ? retryNames(retry.initializer) : [],
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(tree);
  return found;
}
