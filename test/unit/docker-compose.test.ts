import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_KEYS } from '../../workers/config';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../../workers/dev-temporal';

/**
 * No Docker engine runs where we build, so these checks keep docker-compose.yml and the Dockerfile
 * honest against the code: the variables compose sets must be ones the product reads, the ones a
 * non-embedded deployment needs must be there, and the image must start the entry point the build
 * actually produces.
 */
const root = join(__dirname, '../..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, ServiceSpec>;
};
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

interface ServiceSpec {
  build?: unknown;
  environment?: Record<string, unknown> | string[];
  depends_on?: Record<string, unknown> | string[];
}

/** Compose accepts `environment` as a map or as a list of `KEY=value`. */
function environmentOf(service: ServiceSpec): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry) => [entry.split('=')[0] ?? entry, entry.slice(entry.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value)]));
}

function dependenciesOf(service: ServiceSpec): string[] {
  const deps = service.depends_on ?? [];
  return Array.isArray(deps) ? deps : Object.keys(deps);
}

const tourniquet = compose.services.tourniquet;
const tourniquetEnv = tourniquet ? environmentOf(tourniquet) : {};

/** The last stage of the Dockerfile: the image users run. */
function finalStage(text: string): string[] {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const lastFrom = lines.map((line) => /^FROM\s/i.test(line)).lastIndexOf(true);
  return lines.slice(lastFrom);
}

describe('docker-compose.yml', () => {
  it('defines a tourniquet service built from the Dockerfile', () => {
    expect(tourniquet).toBeDefined();
    expect(tourniquet?.build).toBeDefined();
  });

  it('sets only environment variables the product reads (keys of ConfigSchema)', () => {
    const unknown = Object.keys(tourniquetEnv).filter((key) => !CONFIG_KEYS.includes(key));
    expect(unknown).toEqual([]);
  });

  it('sets everything a deployment without embedded Temporal, PGlite or generated keys needs', () => {
    for (const key of ['TEMPORAL_ADDRESS', 'DATABASE_URL', 'FINGERPRINT_KEY', 'VAULT_KEY']) {
      expect(CONFIG_KEYS).toContain(key);
      expect(tourniquetEnv[key]).toBeTruthy();
    }
    // Inside a container, the default 127.0.0.1 would make the published port unreachable.
    expect(tourniquetEnv.HTTP_HOST).toBe('0.0.0.0');
  });

  it('takes every secret from the environment of `docker compose`, never a literal value', () => {
    for (const key of ['DATABASE_URL', 'FINGERPRINT_KEY', 'VAULT_KEY', 'EVIDENCE_SIGNING_KEY']) {
      expect([key, tourniquetEnv[key]]).toEqual([key, expect.stringMatching(/\$\{[A-Z_]+:\?[^}]+\}/)]);
    }
  });

  it('names only defined services in depends_on', () => {
    const defined = Object.keys(compose.services);
    for (const [name, service] of Object.entries(compose.services)) {
      const missing = dependenciesOf(service).filter((dependency) => !defined.includes(dependency));
      expect([name, missing]).toEqual([name, []]);
    }
  });

  it('reads its catalog from a file the image contains', () => {
    const catalog = tourniquetEnv.CATALOG_PATH ?? '';
    const fileName = catalog.split('/').pop() ?? '';
    expect(existsSync(join(root, fileName))).toBe(true);
    expect(finalStage(dockerfile).some((line) => /^COPY\s/i.test(line) && line.includes(fileName))).toBe(true);
  });
});

describe('Dockerfile', () => {
  it('runs, as its final command, the entry point that `npm run build` produces', () => {
    const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const buildConfig = /-p\s+(\S+)/.exec(packageJson.scripts.build ?? '')?.[1] ?? 'tsconfig.json';
    const outDir = readBuildOutDir(join(root, buildConfig));
    const cmd =
      finalStage(dockerfile)
        .filter((line) => /^CMD\s/i.test(line))
        .pop() ?? '';
    const args = JSON.parse(cmd.replace(/^CMD\s+/i, '')) as string[];
    expect(args).toEqual(['node', `${outDir}/workers/main.js`]);
    // The built file must come from a real source file, or the image starts nothing.
    expect(existsSync(join(root, 'workers/main.ts'))).toBe(true);
  });

  it('runs as a non-root user', () => {
    const user = finalStage(dockerfile)
      .filter((line) => /^USER\s/i.test(line))
      .pop();
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER\s+(root|0)(:|$)/i);
  });

  it('gives the Temporal server the dynamic config the dev server and the cluster script use', () => {
    const temporal = compose.services['temporal']! as ServiceSpec & { volumes?: string[] };
    const path = environmentOf(temporal)['DYNAMIC_CONFIG_FILE_PATH'];
    const mount = (temporal.volumes ?? []).find((volume) => volume.endsWith(`/etc/temporal/${path}:ro`));
    expect(mount).toBeDefined();
    const mounted = parse(readFileSync(join(root, mount!.split(':')[0]!), 'utf8')) as Record<
      string,
      [{ value: unknown }]
    >;
    const cluster = readFileSync(join(root, 'scripts/temporal-cluster.sh'), 'utf8');
    for (const setting of DEV_SERVER_DYNAMIC_CONFIG) {
      const [key, value] = setting.split('=') as [string, string];
      expect([key, String(mounted[key]?.[0]?.value)]).toEqual([key, value]);
      expect(cluster).toContain(`${key}:\n  - value: ${value}\n`);
    }
  });

  it('ships the example catalog and scripts/ in the runtime image', () => {
    const copies = finalStage(dockerfile).filter((line) => /^COPY\s/i.test(line));
    expect(copies.some((line) => line.includes('catalog.example.yaml'))).toBe(true);
    expect(copies.some((line) => /\bscripts\b/.test(line))).toBe(true);
  });
});

/** outDir of a tsconfig, following `extends` (tsconfig files here are plain JSON). */
function readBuildOutDir(path: string): string {
  const config = JSON.parse(readFileSync(path, 'utf8')) as { extends?: string; compilerOptions?: { outDir?: string } };
  if (config.compilerOptions?.outDir) return config.compilerOptions.outDir.replace(/^\.\//, '').replace(/\/$/, '');
  if (config.extends) return readBuildOutDir(join(path, '..', config.extends));
  throw new Error(`${path} sets no outDir`);
}

describe('the heap limit the product starts with', () => {
  // 360 MB with 1,000 open incidents instead of 550 MB (BENCHMARKS.md): the image and `npm start` agree.
  it('is 256 MB in the image and in npm start, and a limit in NODE_OPTIONS wins in npm start', () => {
    expect(dockerfile).toMatch(/^ENV NODE_OPTIONS=--max-old-space-size=256$/m);
    const start = readFileSync(join(root, 'scripts/start.sh'), 'utf8');
    expect(start).toContain('*max-old-space-size*) ;;');
    expect(start).toContain('--max-old-space-size=256');
  });
});
