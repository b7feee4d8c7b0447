import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  checkDefinitionConflicts,
  Diagnostic,
  formatDiagnostic,
  LoadedDefinition,
  parseResourceDefinitions,
  ResourceDefinition,
  ValidationError,
} from '@baton/backstage-plugin-orchestrator-common';
import {
  DefinitionIndex,
  DriverRegistry,
  driverInputDiagnostics,
  loadDefinitionFiles,
} from '@baton/backstage-plugin-orchestrator-node';
import { promises as fs } from 'node:fs';
import { SecretBox } from '../secrets/SecretBox';
import { DeploymentStore } from '../database/DeploymentStore';
import { DefinitionStore } from '../database/DefinitionStore';
import { OrchestratorStore } from '../database/OrchestratorStore';

/** A definition as the API shows it: secrets reduced to their keys. @internal */
export type DefinitionView = Omit<ResourceDefinition, 'spec'> & {
  spec: Omit<ResourceDefinition['spec'], 'driverInputs'> & {
    driverInputs?: { values?: Record<string, unknown>; secretKeys?: string[] };
  };
  source: 'api' | 'config';
  revision: number;
};

/** A resource type the platform provides. @internal */
export type ResourceTypeView = {
  type: string;
  classes: string[];
  definitions: string[];
  /** The first definition's description or name. */
  description?: string;
};

/** An installed driver as the API lists it. @internal */
export type DriverView = { id: string; pure: boolean; inputsSchema?: Record<string, unknown> };

/** Active resources a definition change would move to another definition. @internal */
export interface Impact {
  app: string;
  env: string;
  uid: string;
  from: string;
  to: string | null;
}

/** A definition change refused because it would re-match active resources (409, with the impacts in the body). @internal */
export class ImpactConflictError extends ConflictError {
  constructor(message: string, readonly impacts: Impact[]) {
    super(message);
  }
}

/**
 * Resource definitions from platform-configuration files (read-only here,
 * reloaded on change) and from the API (stored, secrets encrypted), with the
 * impact guard: a change that would re-match active resources is refused
 * (409) unless forced.
 *
 * @internal
 */
export class DefinitionService {
  private configDefinitions: LoadedDefinition[] = [];
  private apiDefinitions = new Map<string, { loaded: LoadedDefinition; revision: number }>();
  private cachedIndex?: DefinitionIndex;

  private readonly definitionStore: DefinitionStore;
  private readonly store: Pick<OrchestratorStore, 'getEnvironment'>;
  private readonly secrets: SecretBox;
  private readonly deployments: DeploymentStore;
  private readonly configPaths: string[];
  private readonly driverRegistry: DriverRegistry;

  constructor(deps: {
    definitionStore: DefinitionStore;
    store: Pick<OrchestratorStore, 'getEnvironment'>;
    secrets: SecretBox;
    deploymentStore: DeploymentStore;
    /** Platform configuration files (orchestrator.definitions). */
    configPaths: string[];
    drivers: DriverRegistry;
  }) {
    this.definitionStore = deps.definitionStore;
    this.store = deps.store;
    this.secrets = deps.secrets;
    this.deployments = deps.deploymentStore;
    this.configPaths = deps.configPaths;
    this.driverRegistry = deps.drivers;
  }

  /**
   * Loads both sources; file problems (a driver's inputs included) are
   * thrown with every diagnostic. Stored definitions were checked when they
   * were saved and are not checked again: a driver whose schema changed
   * since must not keep the backend from starting.
   */
  async load(): Promise<void> {
    const configDefinitions = this.configPaths.length ? await loadDefinitionFiles(this.configPaths) : [];
    const problems = configDefinitions.flatMap(d => this.driverProblems(d));
    for (const d of configDefinitions) {
      if (!driverInputDiagnostics(d, this.driverRegistry).length) continue;
      // Read again only when there is a problem to locate in the file.
      const text = d.file ? await fs.readFile(d.file, 'utf8').catch(() => undefined) : undefined;
      problems.push(...driverInputDiagnostics(d, this.driverRegistry, text));
    }
    if (problems.length) throw new ValidationError(problems);
    this.configDefinitions = configDefinitions;
    this.apiDefinitions = new Map(
      (await this.definitionStore.list()).map(({ id, definition, secrets, revision }) => {
        if (secrets) {
          definition.spec.driverInputs = { ...definition.spec.driverInputs, secrets: this.secrets.decrypt(secrets) };
        }
        return [id, { loaded: { definition, file: `api:${id}` }, revision }];
      }),
    );
    this.cachedIndex = undefined;
    this.index();
  }

  all(): LoadedDefinition[] {
    return [...this.configDefinitions, ...[...this.apiDefinitions.values()].map(d => d.loaded)];
  }

  /** The index all plans and deployments match against. */
  index(): DefinitionIndex {
    this.cachedIndex ??= new DefinitionIndex(this.all());
    return this.cachedIndex;
  }

  /** The installed drivers, by id, with the schema of their inputs. */
  drivers(): DriverView[] {
    return this.driverRegistry.ids().map(id => {
      const driver = this.driverRegistry.get(id)!;
      return { id, pure: driver.pure === true, ...(driver.inputsSchema ? { inputsSchema: driver.inputsSchema } : {}) };
    });
  }

  revisionOf(id: string): number {
    return this.apiDefinitions.get(id)?.revision ?? 0;
  }

  /**
   * The resource types the platform provides, with their classes: what a
   * developer can request in a Score file. With `envType`, only definitions
   * that can match in an environment of that type count.
   */
  resourceTypes(envType?: string): ResourceTypeView[] {
    const types = new Map<string, { classes: Set<string>; definitions: string[]; description?: string }>();
    for (const { definition } of this.all()) {
      const criteria = definition.spec.criteria?.length ? definition.spec.criteria : [{}];
      const applicable = envType ? criteria.filter(c => c.envType === undefined || c.envType === envType) : criteria;
      if (!applicable.length) continue;
      let entry = types.get(definition.spec.type);
      if (!entry) {
        entry = { classes: new Set(), definitions: [] };
        types.set(definition.spec.type, entry);
      }
      for (const criterion of applicable) entry.classes.add(criterion.class ?? 'default');
      entry.definitions.push(definition.metadata.id);
      entry.description ??= definition.metadata.description ?? definition.metadata.name;
    }
    return [...types]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, entry]) => ({
        type,
        classes: [...entry.classes].sort(),
        definitions: entry.definitions.sort(),
        ...(entry.description ? { description: entry.description } : {}),
      }));
  }

  list(): DefinitionView[] {
    return this.all().map(d => this.view(d));
  }

  get(id: string): DefinitionView {
    const found = this.all().find(d => d.definition.metadata.id === id);
    if (!found) throw new NotFoundError(`No resource definition ${id}`);
    return this.view(found);
  }

  /** Creates or replaces an API definition. */
  async put(id: string, body: unknown, contentType: string | undefined, options: { force: boolean }): Promise<DefinitionView> {
    const loaded = this.parse(body, contentType);
    const unknownDriver = this.driverProblems(loaded);
    if (unknownDriver.length) throw new ValidationError(unknownDriver);
    // A YAML body is the text an editor shows: its problems get lines there.
    const inputProblems = driverInputDiagnostics(loaded, this.driverRegistry, typeof body === 'string' ? body : undefined);
    if (inputProblems.length) throw new ValidationError(inputProblems);
    if (loaded.definition.metadata.id !== id) {
      throw new InputError(`metadata.id ${loaded.definition.metadata.id} does not match the path (${id})`);
    }
    if (this.configDefinitions.some(d => d.definition.metadata.id === id)) {
      throw new ConflictError(`Resource definition ${id} comes from platform configuration files; change it there`);
    }
    const next = this.all().filter(d => d.definition.metadata.id !== id);
    next.push(loaded);
    const conflicts = checkDefinitionConflicts(next);
    if (conflicts.length) throw new ConflictError(conflicts.map(formatDiagnostic).join('\n'));
    const previous = this.apiDefinitions.get(id)?.loaded.definition.spec.type;
    await this.guard(next, [loaded.definition.spec.type, ...(previous ? [previous] : [])], options.force);

    const { secrets, ...inputs } = loaded.definition.spec.driverInputs ?? {};
    const stored: ResourceDefinition = {
      ...loaded.definition,
      spec: { ...loaded.definition.spec, driverInputs: Object.keys(inputs).length ? inputs : undefined },
    };
    if (!stored.spec.driverInputs) delete stored.spec.driverInputs;
    const revision = this.revisionOf(id) + 1;
    await this.definitionStore.put({ id, definition: stored, secrets: secrets ? this.secrets.encrypt(secrets) : undefined, revision });
    this.apiDefinitions.set(id, { loaded: { definition: loaded.definition, file: `api:${id}` }, revision });
    this.cachedIndex = undefined;
    return this.get(id);
  }

  async delete(id: string, options: { force: boolean }): Promise<void> {
    if (!this.apiDefinitions.has(id)) {
      if (this.configDefinitions.some(d => d.definition.metadata.id === id)) {
        throw new ConflictError(`Resource definition ${id} comes from platform configuration files; remove it there`);
      }
      throw new NotFoundError(`No resource definition ${id}`);
    }
    const { type } = this.apiDefinitions.get(id)!.loaded.definition.spec;
    await this.guard(this.all().filter(d => d.definition.metadata.id !== id), [type], options.force);
    await this.definitionStore.delete(id);
    this.apiDefinitions.delete(id);
    this.cachedIndex = undefined;
  }

  /**
   * Which active resources of `types` would match another definition with
   * `next`. Only definitions of a resource's type compete for it, so a
   * change is checked against the resources of the types it touches alone.
   */
  async impactOf(next: LoadedDefinition[], types: string[]): Promise<Impact[]> {
    const index = new DefinitionIndex(next);
    const impacts: Impact[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deployments.listAllResources({ limit: 500, cursor, types });
      for (const r of page.items) {
        if (r.status === 'orphaned' || r.type === 'workload' || r.definitionId.startsWith('baton-default-')) continue;
        const envType = await this.envTypeOf(r.appId, r.envId);
        const match = index.match({ type: r.type, class: r.class }, { appId: r.appId, envId: r.envId, envType, resId: r.resId });
        const to = match?.loaded.definition.metadata.id ?? null;
        if (to !== r.definitionId) impacts.push({ app: r.appId, env: r.envId, uid: r.uid, from: r.definitionId, to });
      }
      cursor = page.nextCursor;
    } while (cursor);
    return impacts;
  }

  private envTypes = new Map<string, string>();
  private async envTypeOf(app: string, env: string): Promise<string> {
    const key = `${app}/${env}`;
    if (!this.envTypes.has(key)) {
      this.envTypes.set(key, (await this.store.getEnvironment(app, env))?.type ?? '');
    }
    return this.envTypes.get(key)!;
  }

  private async guard(next: LoadedDefinition[], types: string[], force: boolean) {
    this.envTypes.clear();
    const impacts = await this.impactOf(next, types);
    if (impacts.length && !force) {
      const list = impacts.map(i => `${i.app}/${i.env} ${i.uid}: ${i.from} → ${i.to ?? 'no definition'}`).join('; ');
      throw new ImpactConflictError(
        `This change would re-match ${impacts.length} active resource(s): ${list}. Repeat with ?force=true to apply it.`,
        impacts,
      );
    }
  }

  /** A definition must name an installed driver; otherwise it would fail only at deployment. */
  private driverProblems(d: LoadedDefinition): Diagnostic[] {
    const driver = d.definition.spec.driver;
    if (this.driverRegistry.get(driver)) return [];
    return [
      {
        file: d.file,
        line: d.line,
        path: 'spec.driver',
        message: `definition ${d.definition.metadata.id} uses driver ${driver}, which is not installed (installed: ${
          this.driverRegistry.ids().join(', ') || 'none'
        })`,
      },
    ];
  }

  private parse(body: unknown, contentType: string | undefined): LoadedDefinition {
    try {
      if (typeof body === 'string' || (contentType ?? '').includes('yaml')) {
        const loaded = parseResourceDefinitions(String(body), 'request body');
        if (loaded.length !== 1) throw new InputError('The body must hold exactly one ResourceDefinition');
        return loaded[0];
      }
      const loaded = parseResourceDefinitions(JSON.stringify(body), 'request body');
      if (loaded.length !== 1) throw new InputError('The body must hold exactly one ResourceDefinition');
      return loaded[0];
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      throw error;
    }
  }

  private view(d: LoadedDefinition): DefinitionView {
    const { secrets, ...inputs } = d.definition.spec.driverInputs ?? {};
    const id = d.definition.metadata.id;
    return {
      ...d.definition,
      spec: {
        ...d.definition.spec,
        ...(d.definition.spec.driverInputs
          ? { driverInputs: { ...inputs, ...(secrets ? { secretKeys: Object.keys(secrets).sort() } : {}) } }
          : {}),
      },
      source: this.apiDefinitions.has(id) ? 'api' : 'config',
      revision: this.revisionOf(id),
    };
  }
}
