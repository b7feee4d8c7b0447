import { parseScoreResult, ScoreParseResult, ScoreWorkload } from '@baton/backstage-plugin-orchestrator-common';
import { canonicalJson, deepFreeze } from '@baton/backstage-plugin-orchestrator-node';

/** The characters of Score text kept by default: a few thousand typical files. */
const DEFAULT_MAX_CHARS = 4_000_000;

/**
 * Score files parsed before, by their text. A redeployment sends the same
 * texts again (a thousand-workload app with one changed; a push that touched
 * one service), and parsing and validating them was most of accepting it.
 * Only texts that parsed without a single diagnostic are kept (a diagnostic
 * names the request's file, which differs between requests). The workloads
 * are frozen: requests share them, so nothing may change one. Bounded by the
 * characters of text it holds; the least recently used go first.
 *
 * @internal
 */
export class ParsedScoreCache {
  readonly #entries = new Map<string, ScoreWorkload>();
  /** Canonical JSON of the kept workloads (a deployment set's digest is made of it). */
  readonly #canonical = new WeakMap<object, string>();
  #chars = 0;

  constructor(private readonly maxChars = DEFAULT_MAX_CHARS) {}

  /** {@link parseScoreResult}, answered from the cache when the same text parsed cleanly before. */
  parse(text: string, file: string): ScoreParseResult {
    const kept = this.#entries.get(text);
    if (kept) {
      // Most recently used last: the first entries are the ones to drop.
      this.#entries.delete(text);
      this.#entries.set(text, kept);
      return { workload: kept, diagnostics: [] };
    }
    const result = parseScoreResult(text, file);
    if (!result.workload || result.diagnostics.length || text.length > this.maxChars) return result;
    const workload = deepFreeze(result.workload);
    this.#entries.set(text, workload);
    this.#chars += text.length;
    for (const [oldest] of this.#entries) {
      if (this.#chars <= this.maxChars) break;
      this.#entries.delete(oldest);
      this.#chars -= oldest.length;
    }
    return { workload, diagnostics: [] };
  }

  /** The canonical JSON of a workload, made once for the ones parsed here. */
  canonicalJsonOf(workload: ScoreWorkload): string {
    let json = this.#canonical.get(workload);
    if (json === undefined) {
      json = String(canonicalJson(workload));
      if (Object.isFrozen(workload)) this.#canonical.set(workload, json);
    }
    return json;
  }
}
