/**
 * Identifiers that name exactly one credential anywhere (unlike "a GitHub token in repo X"). When
 * a report carries one, it identifies the credential even without the value, so an AWS Health
 * alert (key id only) and a TruffleHog finding (key id and secret) land on the same incident.
 */
const UNIQUE_CREDENTIAL_ID_PATTERNS: ReadonlyArray<{ kind: string; pattern: RegExp }> = [
  { kind: 'aws-access-key-id', pattern: /^(AKIA|ASIA)[A-Z0-9]{16}$/ },
];

export function uniqueCredentialId(identifiers: readonly string[]): { kind: string; id: string } | undefined {
  for (const identifier of identifiers) {
    const known = UNIQUE_CREDENTIAL_ID_PATTERNS.find(({ pattern }) => pattern.test(identifier));
    if (known) return { kind: known.kind, id: identifier };
  }
  return undefined;
}
