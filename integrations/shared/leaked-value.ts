import { invalidInput } from '../../domain/errors';
import type { CredentialTarget } from '../ports';

/**
 * The reported value of a credential its service revokes by value (the token itself calls the
 * revocation, or is named in it). Without one: INVALID_INPUT saying how to go on.
 */
export async function valueToRevoke(target: CredentialTarget, provider: string, service: string): Promise<string> {
  const value = await target.readLeakedValue();
  if (!value)
    throw invalidInput(
      `${provider}: ${service} revokes by value and none was reported; report the token or use the manual provider`,
    );
  return value;
}
