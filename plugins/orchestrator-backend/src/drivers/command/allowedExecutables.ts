import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A glob's wildcards as regular expressions: `**` crosses folders, `*` and `?` stay within one. */
const GLOB_PARTS: Record<string, string> = { '**': '.*', '*': '[^/]*', '?': '[^/]' };

/** Absolute paths and patterns of them: `*` and `?` within one segment, `**` across segments. */
export class AllowList {
  private readonly exact = new Set<string>();
  private readonly patterns: RegExp[] = [];

  constructor(entries: string[]) {
    for (const entry of entries) {
      if (!path.isAbsolute(entry)) {
        throw new Error(`orchestrator.drivers.command.allow: ${entry} is not an absolute path or pattern`);
      }
      const normalized = path.normalize(entry);
      if (!/[*?]/.test(normalized)) {
        this.exact.add(normalized);
        continue;
      }
      const source = normalized
        .split(/(\*\*|\*|\?)/)
        .map(part => GLOB_PARTS[part] ?? part.replace(/[.+^${}()|[\]\\]/g, '\\$&'))
        .join('');
      this.patterns.push(new RegExp(`^${source}$`));
    }
  }

  get empty(): boolean {
    return this.exact.size === 0 && this.patterns.length === 0;
  }

  allows(executable: string): boolean {
    return this.exact.has(executable) || this.patterns.some(p => p.test(executable));
  }

  /** Why `command`, resolved to `executable`, may not run; undefined when it may. */
  refusal(command: string, executable: string): string | undefined {
    if (this.allows(executable)) return undefined;
    const what = command === executable ? executable : `${command} resolves to ${executable}, which`;
    return `${what} is not allowed by orchestrator.drivers.command.allow${this.empty ? ' (no executable is allowed: the list is empty)' : ''}`;
  }
}

/** Where relative commands are found: the backend's PATH and HOME, and its working directory. */
export interface ExecutableLookup {
  processEnv: NodeJS.ProcessEnv;
  cwd: string;
}

/** The absolute path a command names, resolved as score-k8s resolves `cmd://` URIs. */
export function resolveExecutable(command: string, lookup: ExecutableLookup): { path: string } | { error: string } {
  if (!command.startsWith('cmd:')) {
    if (path.isAbsolute(command)) return { path: path.normalize(command) };
    if (command.includes('/')) return { error: `${command} is a relative path: give an absolute path, or cmd://./… for one relative to the backend's working directory` };
    return lookPath(command, lookup.processEnv);
  }
  const uri = parseCmdUri(command);
  if ('error' in uri) return uri;
  const parts = uri.path.split('/').filter(Boolean);
  switch (uri.host) {
    case '':
      return { path: path.normalize(`/${parts.join('/')}`) };
    case '~': {
      const home = lookup.processEnv.HOME ?? os.homedir();
      return { path: path.resolve(home, ...parts) };
    }
    case '.':
      return { path: path.resolve(lookup.cwd, ...parts) };
    case '..':
      return { path: path.resolve(path.dirname(lookup.cwd), ...parts) };
    default:
      if (parts.length) return { error: `${command}: direct command reference cannot contain additional path parts` };
      return lookPath(uri.host, lookup.processEnv);
  }
}

function lookPath(name: string, processEnv: NodeJS.ProcessEnv): { path: string } | { error: string } {
  for (const dir of (processEnv.PATH ?? '').split(path.delimiter)) {
    if (!path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, name);
    try {
      if (statSync(candidate).isFile()) {
        accessSync(candidate, fsConstants.X_OK);
        return { path: candidate };
      }
    } catch {
      // not here, or not executable: go on as a shell would
    }
  }
  return { error: `${name} is not found on the backend's PATH` };
}

/**
 * A `cmd://` URI split as Go's url.Parse splits it for score-k8s: host and
 * path, the fragment (a name that keeps URIs unique) dropped; user info, a
 * port or a query are refused, as score-k8s refuses them.
 */
function parseCmdUri(uri: string): { host: string; path: string } | { error: string } {
  const m = /^cmd:\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/.exec(uri);
  if (!m) return { error: `${uri} is not a cmd:// URI (cmd://name, cmd:///absolute/path, cmd://./relative/path or cmd://~/path)` };
  const [, host, rest, query] = m;
  if (host.includes('@')) return { error: `${uri}: cmd provisioner uri cannot contain user info` };
  if (host.includes(':')) return { error: `${uri}: cmd provisioner uri cannot contain a port` };
  if (query && query.length > 1) return { error: `${uri}: cmd provisioner uri cannot contain query params` };
  return { host, path: rest };
}
