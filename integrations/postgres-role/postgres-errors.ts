import { TourniquetError, invalidInput, notFound, permissionDenied, providerUnavailable } from '../../domain/errors';

/** SQLSTATEs that mean a login was refused: the credential is dead. */
export const LOGIN_REFUSED_CODES = ['28P01', '28000'];

/** Maps a node-postgres error to the error taxonomy; messages never include passwords. */
export function mapPostgresError(error: unknown, doing: string): TourniquetError {
  if (error instanceof TourniquetError) return error;
  const code = (error as { code?: string }).code ?? '';
  const message = `${doing}: ${(error as Error).message ?? String(error)}`;
  if (code === '42704') return notFound(message);
  if (code === '42501' || code.startsWith('28')) return permissionDenied(message);
  if (code.startsWith('22') || code.startsWith('42')) return invalidInput(message);
  return providerUnavailable(message);
}
