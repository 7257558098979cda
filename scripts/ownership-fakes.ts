/**
 * Loopback fakes of PagerDuty and Backstage for trying live ownership without either service: the
 * same fakes the tests use, loaded with the people of docs/examples/catalog.live-ownership.yaml.
 * Bob is on call at level 1 for Payments (so PagerDuty, not the YAML, names him primary) and the
 * billing component belongs to the Payments group. Stop with Ctrl-C.
 */
import { FakeBackstage } from '../test/fakes/backstage-api';
import { FakePagerDuty } from '../test/fakes/pagerduty-api';

async function main(): Promise<void> {
  const pagerduty = new FakePagerDuty('local-pagerduty-token');
  pagerduty.onCalls = [
    { escalationPolicyId: 'PPAYMENTS', level: 1, email: 'bob@example.com', name: 'Bob' },
    { escalationPolicyId: 'PPAYMENTS', level: 2, email: 'alice@example.com', name: 'Alice' },
  ];
  const backstage = new FakeBackstage(50);
  backstage.entities = [
    { kind: 'Component', name: 'billing-api', owner: 'group:default/payments' },
    { kind: 'User', name: 'alice', email: 'alice@example.com', memberOf: ['group:default/payments'] },
    { kind: 'User', name: 'bob', email: 'bob@example.com', memberOf: ['group:default/payments'] },
  ];
  await Promise.all([pagerduty.start(), backstage.start()]);
  process.stdout.write(
    [
      'PagerDuty and Backstage fakes are up. In another terminal:',
      `  CATALOG_PATH=docs/examples/catalog.live-ownership.yaml PAGERDUTY_API_URL=${pagerduty.url} \\`,
      `  PAGERDUTY_API_TOKEN=local-pagerduty-token BACKSTAGE_URL=${backstage.url} npm start`,
      '',
    ].join('\n'),
  );
  const stop = () => void Promise.all([pagerduty.stop(), backstage.stop()]).then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
