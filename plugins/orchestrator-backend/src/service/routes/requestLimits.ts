import express, { RequestHandler } from 'express';
import { InputError } from '@backstage/errors';
import { budgetProblem, InputBudget } from '@baton/backstage-plugin-orchestrator-common';

/** The largest request body read; a larger one is answered 413 (see errorMapping). */
export const BODY_LIMIT = '10mb';
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];
/** JSON bodies: deep nesting would overflow the stack of every recursive step after parsing. */
const BODY_BUDGET: InputBudget = { maxNodes: 1_000_000, maxChars: 10 * 1024 * 1024, maxDepth: 64 };

/**
 * The body parsers, to be mounted ahead of the OpenAPI router, which would
 * turn every error of its own middleware into a 400 (a body over the limit
 * included). `rawBodyOf` gives the bytes of a git webhook's body: its
 * signature is over them, not their parsed form. Only there: a parser that
 * keeps the bytes decodes them in one piece at the end, which for a
 * deployment of megabytes held the event loop; without, each chunk is
 * decoded as it arrives.
 */
export function createBodyParsers(): {
  parsers: express.Router;
  rawBodyOf: (req: express.Request) => Buffer | undefined;
} {
  const rawBodies = new WeakMap<object, Buffer>();
  const parsers = express.Router();
  parsers.use('/webhooks/git', express.json({ limit: BODY_LIMIT, verify: (req, _res, buf) => rawBodies.set(req, buf) }));
  parsers.use(express.json({ limit: BODY_LIMIT }), express.text({ type: YAML_TYPES, limit: BODY_LIMIT }));
  return { parsers, rawBodyOf: req => rawBodies.get(req) };
}

/** Refuses a parsed body over the budget (400), before any route walks it. */
export const bodyWithinBudget: RequestHandler = (req, _res, next) => {
  const problem = req.body && typeof req.body === 'object' ? budgetProblem([req.body], BODY_BUDGET) : undefined;
  next(problem ? new InputError(`The request body is over budget: ${problem}`) : undefined);
};
