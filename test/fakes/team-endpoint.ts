import { randomBytes } from 'node:crypto';
import { IDEMPOTENCY_HEADER, signedHeaders } from '../../integrations/webhook-provider/signing';
import { Hold } from '../support/holds';
import { LoopbackFake, type FakeReply, type FakeRequest } from './loopback-server';
import { header, unsignedRequest } from './webhook-receiver';

interface CredentialState {
  /** The leaked credential is dead at the provider. */
  revoked: boolean;
  /** How many times a call really changed the credential from alive to dead. */
  effectiveRevocations: number;
  /** Replacements really issued (a repeated Idempotency-Key returns the same one). */
  replacementsIssued: number;
}

/**
 * A team's own revocation and dependent endpoints (docs/providers.md, `webhook`), keeping the
 * provider's side of the story: which credentials are dead, how many revocations took effect,
 * which workloads are stopped. A repeated Idempotency-Key answers `already-done` and changes
 * nothing, as the contract asks. `hold()` parks a matching call before or after it takes effect.
 */
export class FakeTeamEndpoint extends LoopbackFake {
  readonly credentials = new Map<string, CredentialState>();
  /** Per dependent id: how many disables/enables took effect, and whether it is stopped now. */
  readonly workloads = new Map<string, { stopped: boolean; disables: number; enables: number }>();
  private readonly seenKeys = new Map<string, Record<string, unknown>>();
  private readonly holds: Array<{ hold: Hold; match: (payload: Record<string, unknown>) => boolean }> = [];

  constructor(private readonly key: string) {
    super((request) => this.route(request));
  }

  credential(secretId: string): CredentialState {
    let state = this.credentials.get(secretId);
    if (!state)
      this.credentials.set(secretId, (state = { revoked: false, effectiveRevocations: 0, replacementsIssued: 0 }));
    return state;
  }

  hold(name: string, when: 'before' | 'after', match: (payload: Record<string, unknown>) => boolean): Hold {
    const hold = new Hold(name, when);
    this.holds.push({ hold, match });
    return hold;
  }

  private async route(request: FakeRequest): Promise<FakeReply> {
    const unsigned = unsignedRequest(this.key, request);
    if (unsigned) return unsigned;
    const payload = JSON.parse(request.body) as Record<string, unknown>;
    const held = this.holds.find((entry) => entry.hold.armed && entry.match(payload))?.hold;
    if (held && !held.arrive()) {
      // Parked before taking effect; the caller is usually dead by the time it is let go.
      await held.released;
      return { status: 503, body: { error: 'held by the test and let go without acting' } };
    }
    const answer = this.apply(header(request, IDEMPOTENCY_HEADER) ?? '', payload);
    if (held) await held.released;
    const body = JSON.stringify(answer);
    return { status: 200, body, headers: signedHeaders(this.key, body) };
  }

  private apply(idempotencyKey: string, payload: Record<string, unknown>): Record<string, unknown> {
    const earlier = payload.operation === 'prove-dead' ? undefined : this.seenKeys.get(idempotencyKey);
    if (earlier) return { ...earlier, status: 'already-done' };
    let answer: Record<string, unknown> = { status: 'done' };
    if (typeof payload.action === 'string') {
      const id = String(payload.dependentId);
      const workload = this.workloads.get(id) ?? { stopped: false, disables: 0, enables: 0 };
      this.workloads.set(id, workload);
      if (payload.action === 'disable' && !workload.stopped) {
        workload.stopped = true;
        workload.disables += 1;
      } else if (payload.action === 'enable' && workload.stopped) {
        workload.stopped = false;
        workload.enables += 1;
      }
    } else {
      const state = this.credential(String(payload.secretId));
      switch (payload.operation) {
        case 'revoke':
          if (!state.revoked) {
            state.revoked = true;
            state.effectiveRevocations += 1;
          }
          break;
        case 'issue-replacement':
          state.replacementsIssued += 1;
          answer = { ...answer, newValue: `replacement-${randomBytes(8).toString('hex')}` };
          break;
        case 'prove-dead':
          answer = { ...answer, dead: state.revoked, checks: [`credential ${state.revoked ? 'dead' : 'alive'}`] };
          break;
        default:
          break;
      }
    }
    // Proof of death is a read: asked again, it looks again.
    if (payload.operation !== 'prove-dead') this.seenKeys.set(idempotencyKey, answer);
    return answer;
  }
}
