import {
  checkDefinitionConflicts,
  Criterion,
  ExplainResult,
  LoadedDefinition,
  MatchContext,
  ResourceDefinition,
  ValidationError,
} from '@baton/backstage-plugin-orchestrator-common';

/** The criterion fields that narrow a match, most specific first, with their weight. */
const FIELDS = [
  ['resId', 8],
  ['envId', 4],
  ['appId', 2],
  ['envType', 1],
] as const;

type Field = (typeof FIELDS)[number][0];

/** A definition chosen for a node. @public */
export interface DefinitionMatch {
  /** The definition that won. */
  definition: ResourceDefinition;
  /** The same definition with the file it came from. */
  loaded: LoadedDefinition;
  /** The criterion that won as written, or null for a built-in definition. */
  criterion: Criterion | null;
  /** resId 8 + envId 4 + appId 2 + envType 1 over the fields the criterion sets. */
  rank: number;
  builtIn: boolean;
}

/** Criteria of one type and class: `byRank[rank]` maps the values of the fields set to the entry. */
interface RankedEntries {
  /** The ranks present, highest first. */
  ranks: number[];
  byRank: Map<string, Entry>[];
}

interface Entry {
  loaded: LoadedDefinition;
  criterion: Criterion;
  rank: number;
}

/** Built-in definitions apply only where no user definition of their type matches. */
export const BUILT_IN_DEFINITIONS: LoadedDefinition[] = [
  {
    definition: {
      apiVersion: 'baton.dev/v1',
      kind: 'ResourceDefinition',
      metadata: { id: 'baton-default-workload', name: 'Kubernetes Deployment for a Score workload' },
      spec: { type: 'workload', driver: 'workload', criteria: [{}] },
    },
  },
  {
    definition: {
      apiVersion: 'baton.dev/v1',
      kind: 'ResourceDefinition',
      metadata: { id: 'baton-default-k8s-namespace', name: 'Namespace <app>-<env>' },
      spec: {
        type: 'k8s-namespace',
        driver: 'echo',
        driverInputs: { values: { namespace: '${context.app.id}-${context.env.id}' } },
        criteria: [{}],
      },
    },
  },
];

function rankOf(criterion: Criterion): number {
  let rank = 0;
  for (const [field, weight] of FIELDS) {
    if (criterion[field] !== undefined) rank += weight;
  }
  return rank;
}

function keyOf(values: Partial<Record<Field, string>>, rank: number): string {
  let key = '';
  for (const [field, weight] of FIELDS) {
    if (rank & weight) key += `${values[field]}\u0000`;
  }
  return key;
}

/**
 * All criteria of all definitions, indexed by type and class, then by which
 * fields a criterion sets (16 combinations) and their values. A match is one
 * map lookup per combination that some criterion of that type and class
 * uses (at most 16) however many definitions there are, trying the most
 * specific combination first: ranking is resId 8, envId 4, appId 2,
 * envType 1, highest wins (DESIGN.md's matching rule).
 *
 * @public
 */
export class DefinitionIndex {
  private readonly byTypeClass = new Map<string, RankedEntries>();
  private readonly byType = new Map<string, Entry[]>();
  /** Definitions without criteria, by type: never selected, but explain lists them. */
  private readonly unselectable = new Map<string, LoadedDefinition[]>();
  private readonly builtIns = new Map<string, LoadedDefinition>();
  readonly definitions: LoadedDefinition[];

  /**
   * Throws ValidationError listing every conflict (two definitions with an
   * identical criterion for one type, or one id twice), naming both definitions.
   */
  constructor(definitions: LoadedDefinition[], options: { builtIns?: LoadedDefinition[] } = {}) {
    this.definitions = definitions;
    for (const b of options.builtIns ?? BUILT_IN_DEFINITIONS) {
      this.builtIns.set(b.definition.spec.type, b);
    }
    // Duplicate ids and identical criteria of one type: reported together, naming both definitions.
    const conflicts = checkDefinitionConflicts(definitions);
    if (conflicts.length) throw new ValidationError(conflicts);
    for (const loaded of definitions) {
      const { type, criteria } = loaded.definition.spec;
      if (!criteria?.length) {
        const list = this.unselectable.get(type);
        if (list) list.push(loaded);
        else this.unselectable.set(type, [loaded]);
      }
      for (const criterion of criteria ?? []) {
        const rank = rankOf(criterion);
        const entry: Entry = { loaded, criterion, rank };
        const typeClass = `${type}\u0000${criterion.class ?? 'default'}`;
        let ranked = this.byTypeClass.get(typeClass);
        if (!ranked) this.byTypeClass.set(typeClass, (ranked = { ranks: [], byRank: [] }));
        let byKey = ranked.byRank[rank];
        if (!byKey) {
          ranked.byRank[rank] = byKey = new Map();
          ranked.ranks.push(rank);
          ranked.ranks.sort((a, b) => b - a);
        }
        const key = keyOf(criterion, rank);
        // The same criterion twice in one definition (conflicts across definitions were rejected above).
        if (byKey.has(key)) continue;
        byKey.set(key, entry);
        let list = this.byType.get(type);
        if (!list) this.byType.set(type, (list = []));
        list.push(entry);
      }
    }
  }

  /** The definition for a node in a context, or undefined when none matches. */
  match(node: { type: string; class: string }, context: MatchContext): DefinitionMatch | undefined {
    const ranked = this.byTypeClass.get(`${node.type}\u0000${node.class}`);
    if (ranked) {
      // Only the field combinations some criterion uses, most specific first.
      for (const rank of ranked.ranks) {
        const entry = ranked.byRank[rank].get(keyOf(context, rank));
        if (entry) {
          return { definition: entry.loaded.definition, loaded: entry.loaded, criterion: entry.criterion, rank, builtIn: false };
        }
      }
    }
    const builtIn = node.class === 'default' ? this.builtIns.get(node.type) : undefined;
    return builtIn
      ? { definition: builtIn.definition, loaded: builtIn, criterion: null, rank: -1, builtIn: true }
      : undefined;
  }

  /** Every candidate criterion of the node's type, why it matched or not, and its rank. */
  explain(node: { type: string; class: string; resId: string }, context: Omit<MatchContext, 'resId'>): ExplainResult {
    const full: MatchContext = { ...context, resId: node.resId };
    const chosen = this.match(node, full);
    const candidates: ExplainResult['candidates'] = (this.byType.get(node.type) ?? []).map(entry => {
      const reasons: string[] = [];
      const klass = entry.criterion.class ?? 'default';
      if (klass !== node.class) reasons.push(`class ${klass} ≠ ${node.class}`);
      for (const [field] of FIELDS) {
        const wanted = entry.criterion[field];
        if (wanted !== undefined && wanted !== full[field]) {
          reasons.push(`${field} is ${full[field]}, criterion wants ${wanted}`);
        }
      }
      const matched = reasons.length === 0;
      let reason: string;
      if (!matched) reason = reasons.join('; ');
      else if (chosen?.loaded === entry.loaded && chosen.criterion === entry.criterion) {
        reason = entry.rank === 0 ? 'matches as catch-all; chosen' : 'matches; chosen (highest rank)';
      } else {
        reason = `matches, but rank ${entry.rank} loses to ${chosen?.loaded.definition.metadata.id} (rank ${chosen?.rank})`;
      }
      return {
        definition: entry.loaded.definition.metadata.id,
        criterion: { class: klass, ...withoutClass(entry.criterion) },
        matched,
        reason,
        rank: entry.rank,
      };
    });
    candidates.sort((a, b) => Number(b.matched) - Number(a.matched) || b.rank - a.rank || a.definition.localeCompare(b.definition));
    for (const loaded of this.unselectable.get(node.type) ?? []) {
      candidates.push({
        definition: loaded.definition.metadata.id,
        criterion: {},
        matched: false,
        reason: 'the definition has no criteria, so it is never selected (use [{}] for a catch-all)',
        rank: -1,
      });
    }
    if (chosen?.builtIn) {
      candidates.push({
        definition: chosen.loaded.definition.metadata.id,
        criterion: {},
        matched: true,
        reason: 'built-in default: no definition of this type matches',
        rank: -1,
      });
    }
    return {
      type: node.type,
      class: node.class,
      resId: node.resId,
      context: { appId: context.appId, envId: context.envId, envType: context.envType },
      chosen: chosen?.loaded.definition.metadata.id ?? null,
      candidates,
    };
  }

  /** The types some definition provides, for messages. */
  typesKnown(): string[] {
    return [...this.byType.keys()].sort();
  }
}

function withoutClass(criterion: Criterion): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field] of FIELDS) {
    if (criterion[field] !== undefined) out[field] = criterion[field]!;
  }
  return out;
}

/**
 * The definition for a node in a context: the matching criterion of highest
 * rank (resId 8, envId 4, appId 2, envType 1), or a built-in definition for
 * `workload` and `k8s-namespace` when no user definition matches.
 *
 * @public
 */
export function matchDefinition(
  index: DefinitionIndex,
  node: { type: string; class?: string; resId: string },
  context: { appId: string; envId: string; envType: string },
): DefinitionMatch | undefined {
  return index.match(
    { type: node.type, class: node.class ?? 'default' },
    { appId: context.appId, envId: context.envId, envType: context.envType, resId: node.resId },
  );
}

/**
 * Every candidate criterion of the node's type (any class), whether it
 * matched, why, and its rank; matched ones first, highest rank first.
 *
 * @public
 */
export function explainMatch(
  index: DefinitionIndex,
  node: { type: string; class?: string; resId: string },
  context: { appId: string; envId: string; envType: string },
): ExplainResult {
  return index.explain({ type: node.type, class: node.class ?? 'default', resId: node.resId }, context);
}
