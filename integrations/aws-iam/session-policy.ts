/**
 * STS sessions minted from an access key (GetSessionToken, GetFederationToken) outlive the key:
 * AWS cannot revoke them one by one. The documented remedy is an inline deny on the user for
 * every request whose token was issued before now. Long-term keys carry no aws:TokenIssueTime, so
 * a rotated key keeps working; sessions minted after the cut-off keep working too.
 */
export function sessionDenyPolicyName(accessKeyId: string): string {
  return `tourniquet-deny-sessions-${accessKeyId}`;
}

export function sessionDenyPolicyDocument(issuedBefore: Date): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'TourniquetDenySessionsIssuedBeforeRevocation',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { DateLessThan: { 'aws:TokenIssueTime': issuedBefore.toISOString() } },
      },
    ],
  });
}

/** Tag on the IAM user recording a replacement key in flight, so a retried rotation finds its orphan. */
export function replacementTagKey(leakedKeyId: string): string {
  return `tourniquet:replacement-for:${leakedKeyId}`;
}
