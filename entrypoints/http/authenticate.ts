import type { NextFunction, Request, Response } from 'express';
import type { Person } from '../../domain/catalog';
import type { OwnershipDirectory } from '../../integrations/ports';
import { HttpError } from './http-errors';

declare module 'express-serve-static-core' {
  interface Request {
    person?: Person;
  }
}

/** Bearer token → catalog person. Tokens are compared by their sha256 in constant time. */
export function authenticatePerson(directory: OwnershipDirectory) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const header = req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1])
      return next(
        new HttpError(401, 'missing bearer token: send "Authorization: Bearer <your API token>"', 'UNAUTHENTICATED'),
      );
    const person = directory.personByApiToken(match[1]);
    if (!person)
      return next(
        new HttpError(401, 'unknown API token: it matches no person in the ownership catalog', 'UNAUTHENTICATED'),
      );
    req.person = person;
    next();
  };
}

export function currentPerson(req: Request): Person {
  if (!req.person) throw new HttpError(401, 'not authenticated', 'UNAUTHENTICATED');
  return req.person;
}
