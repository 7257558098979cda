#!/usr/bin/env node
import { runDrillCommand } from './drills';
import { runEvidenceCommand } from './evidence';
import { runIncidentsCommand } from './incidents';
import { doctor } from './operations';

/** `tourniquet <area> ...`: incidents over the HTTP API, and offline evidence tools. */
async function main(argv: string[]): Promise<number> {
  const [area, ...rest] = argv;
  if (area === 'evidence') return runEvidenceCommand(rest);
  if (area === 'incidents') return runIncidentsCommand(rest);
  if (area === 'drill') return runDrillCommand(rest);
  if (area === 'doctor') return doctor(process.env);
  process.stderr.write(
    'usage: tourniquet incidents <verb> ... | tourniquet drill start|schedule|report ... | tourniquet evidence verify|export ... | tourniquet doctor\n',
  );
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
