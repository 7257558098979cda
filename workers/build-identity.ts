import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BuildIdentity {
  version: string;
  deploymentName: string;
  /** `<package version>+<git commit>` unless TEMPORAL_BUILD_ID says otherwise. */
  buildId: string;
}

/**
 * Who this worker is for Temporal's Worker Deployments: a deployment name and a build id derived
 * from the package version and the git commit (or TOURNIQUET_GIT_COMMIT in an image without .git),
 * so two builds of different code never share an id.
 */
export function buildIdentity(settings: {
  TEMPORAL_DEPLOYMENT_NAME: string;
  TEMPORAL_BUILD_ID?: string;
  gitCommit?: string;
}): BuildIdentity {
  const root = join(__dirname, '..');
  const version = (JSON.parse(readFileSync(findPackageJson(root), 'utf8')) as { version: string }).version;
  const commit = settings.gitCommit ?? gitCommit(root);
  return {
    version,
    deploymentName: settings.TEMPORAL_DEPLOYMENT_NAME,
    buildId: settings.TEMPORAL_BUILD_ID ?? `${version}+${commit ?? 'unknown'}`,
  };
}

function findPackageJson(root: string): string {
  // From source (workers/) and from dist/workers/ alike.
  for (const candidate of [join(root, 'package.json'), join(root, '..', 'package.json')]) {
    try {
      readFileSync(candidate);
      return candidate;
    } catch {
      // try the next
    }
  }
  throw new Error(`package.json not found above ${root}`);
}

function gitCommit(root: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}
