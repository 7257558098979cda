import type { ProviderAnswer } from '../../domain/evidence';
import type { CredentialProvider, CredentialTarget, DeathProof, Revocation, Rotation, DeathCheck } from '../ports';

/**
 * The provider of drill incidents: every step of the runbook runs (decision, containment, proof of
 * death, verification) but nothing real is touched. Its answers say so, so the evidence of a drill
 * can never be mistaken for a real revocation.
 */
export class DrillProvider implements CredentialProvider, Revocation, Rotation, DeathCheck {
  readonly kind = 'drill';
  /** Nothing is touched in a drill: as if a second credential was issued and deleted again. */
  readonly rotationEffects = { oldCredential: 'second-credential', undo: 'delete-replacement' } as const;
  readonly requiresHuman = false;

  validateLocator(): void {}

  async revoke(target: CredentialTarget): Promise<ProviderAnswer> {
    return answer(target, 'revoke', `drill: ${target.secret.id} would be revoked now; nothing was touched`);
  }

  async issueReplacement(target: CredentialTarget): Promise<{ answer: ProviderAnswer; newValue: string }> {
    return {
      answer: answer(target, 'issue-replacement', `drill: a replacement for ${target.secret.id} would be issued now`),
      newValue: `drill-replacement-${target.incidentId}`,
    };
  }

  async revokeReplacement(target: CredentialTarget): Promise<ProviderAnswer> {
    return answer(target, 'revoke-replacement', 'drill: the replacement would be revoked now');
  }

  async endDerivedSessions(): Promise<null> {
    return null;
  }

  async proveDead(target: CredentialTarget): Promise<DeathProof> {
    return { dead: true, checks: [`drill: ${target.secret.id} was not touched; nothing to prove`] };
  }
}

function answer(target: CredentialTarget, operation: string, summary: string): ProviderAnswer {
  return {
    provider: 'drill',
    operation,
    answerId: `drill-${target.incidentId}-${operation}`,
    summary,
    at: new Date().toISOString(),
  };
}
