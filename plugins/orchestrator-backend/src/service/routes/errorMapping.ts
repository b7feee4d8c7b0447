import { ErrorRequestHandler } from 'express';
import { CustomErrorBase, InputError } from '@backstage/errors';
import { ValidationError } from '@baton/backstage-plugin-orchestrator-common';
import { ImpactConflictError } from '../DefinitionService';
import { BODY_LIMIT } from './requestLimits';

/** A request body over the size limit (413). */
class PayloadTooLargeError extends CustomErrorBase {
  name = 'PayloadTooLargeError' as const;
  statusCode = 413;
}

/**
 * The API's errors that need more than Backstage's error body, mounted once
 * after every route; the rest passes on to the error handler unchanged.
 */
export const errorMapping: ErrorRequestHandler = (error, _req, res, next) => {
  // Validation errors name the file, line and field of every problem.
  if (error instanceof ValidationError) {
    res.status(400).json({
      error: { name: 'InputError', message: error.message },
      details: error.diagnostics,
    });
    return;
  }
  // The impact guard's 409 lists the resources a definition change would re-match, for a client to show.
  if (error instanceof ImpactConflictError) {
    res.status(409).json({ error: { name: 'ConflictError', message: error.message }, impacts: error.impacts });
    return;
  }
  // Body parser errors as plain 4xx errors: theirs carry the raw body, and
  // JSON syntax messages quote it, which may hold secrets.
  if (error?.type === 'entity.too.large') {
    next(new PayloadTooLargeError(`The request body is larger than ${BODY_LIMIT}`));
  } else if (error?.type === 'entity.parse.failed') {
    const position = /position (\d+)/.exec(String(error.message))?.[1];
    next(new InputError(`The request body is not valid JSON${position ? ` (at position ${position})` : ''}`));
  } else if (typeof error?.type === 'string' && error.status < 500) {
    next(new InputError(`The request body cannot be read: ${error.message}`));
  } else {
    next(error);
  }
};
