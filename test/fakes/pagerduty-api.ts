import { LoopbackFake, type FakeRequest, type FakeReply } from './loopback-server';

export interface FakeOnCall {
  escalationPolicyId: string;
  level: number;
  email: string;
  name: string;
}

/**
 * PagerDuty's REST API as documented: `GET /oncalls` (escalation_policy_ids[], schedule_ids[],
 * include[]=users → each entry's `user` carries its email) and `GET /services/{id}` (its
 * escalation policy). `onCalls` is mutable, so a test can rotate the schedule mid-incident.
 */
export class FakePagerDuty extends LoopbackFake {
  onCalls: FakeOnCall[] = [];
  services: Record<string, string> = {};

  constructor(readonly token = 'pd-test-token') {
    super((request) => this.answer(request));
  }

  private answer(request: FakeRequest): FakeReply {
    if (request.headers.authorization !== `Token token=${this.token}`) {
      return { status: 401, body: { error: { message: 'Unauthorized', code: 2006 } } };
    }
    const url = new URL(request.path, 'http://pagerduty.invalid');
    const service = /^\/services\/([^/]+)$/.exec(url.pathname);
    if (request.method === 'GET' && service) {
      const policy = this.services[service[1]!];
      if (!policy) return { status: 404, body: { error: { message: 'Not Found', code: 2100 } } };
      return {
        status: 200,
        body: { service: { id: service[1], escalation_policy: { id: policy, type: 'escalation_policy_reference' } } },
      };
    }
    if (request.method !== 'GET' || url.pathname !== '/oncalls')
      return { status: 404, body: { error: { message: 'Not Found' } } };
    const policies = url.searchParams.getAll('escalation_policy_ids[]');
    const withUsers = url.searchParams.getAll('include[]').includes('users');
    const oncalls = this.onCalls
      .filter((entry) => policies.length === 0 || policies.includes(entry.escalationPolicyId))
      .map((entry, index) => ({
        escalation_policy: { id: entry.escalationPolicyId, type: 'escalation_policy_reference' },
        escalation_level: entry.level,
        schedule: null,
        user: withUsers
          ? { id: `PU${index}`, type: 'user', summary: entry.name, name: entry.name, email: entry.email }
          : { id: `PU${index}`, type: 'user_reference', summary: entry.name },
        start: null,
        end: null,
      }));
    return { status: 200, body: { oncalls, limit: 100, offset: 0, more: false, total: null } };
  }
}
