/**
 * @jest-environment node
 */
import { ResponseError } from '@backstage/errors';
import { OrchestratorClient } from './api';

// The backend answers through a fetch that records what the client asks.
function clientAnswering(answer: (url: string) => Response) {
  const urls: string[] = [];
  const client = new OrchestratorClient({
    discoveryApi: { getBaseUrl: async pluginId => `http://backstage.test/api/${pluginId}` },
    fetchApi: {
      fetch: async (input: RequestInfo | URL) => {
        urls.push(String(input));
        return answer(String(input));
      },
    },
  });
  return { client, urls };
}
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
// Errors come in Backstage's error body, as the backend's error handler sends them.
const refusal = (status: number, name: string, message: string) =>
  json(status, { error: { name, message }, response: { statusCode: status } });

describe('OrchestratorClient', () => {
  it('reads an environment graph, and none before the first deployment', async () => {
    const graph = { deploymentId: 'd1', hash: 'h', nodes: [] };
    const { client, urls } = clientAnswering(url =>
      url.includes('/apps/shop/envs/dev/') ? json(200, graph) : refusal(404, 'NotFoundError', 'no deployment'),
    );
    await expect(client.getGraph('shop', 'dev')).resolves.toEqual(graph);
    await expect(client.getGraph('shop', 'qa')).resolves.toBeUndefined();
    expect(urls).toEqual([
      'http://backstage.test/api/orchestrator/apps/shop/envs/dev/graph',
      'http://backstage.test/api/orchestrator/apps/shop/envs/qa/graph',
    ]);
  });

  it('filters resource types by environment type and surfaces refusals with their body', async () => {
    const { client, urls } = clientAnswering(url =>
      url.endsWith('/resource-types?envType=development')
        ? json(200, { items: [{ type: 'postgres', classes: ['default'], definitions: ['pg'] }] })
        : refusal(403, 'NotAllowedError', 'denied'),
    );
    await expect(client.listResourceTypes({ envType: 'development' })).resolves.toEqual([
      { type: 'postgres', classes: ['default'], definitions: ['pg'] },
    ]);
    const refused = await client.listResources('shop', 'dev').catch(e => e);
    expect(refused).toBeInstanceOf(ResponseError);
    expect(refused.body.error).toEqual({ name: 'NotAllowedError', message: 'denied' });
    expect(urls[1]).toBe('http://backstage.test/api/orchestrator/apps/shop/envs/dev/resources');
  });

  it('lists the installed drivers with their input schemas', async () => {
    const drivers = [{ id: 'echo', pure: true }, { id: 'postgres', pure: false, inputsSchema: { type: 'object' } }];
    const { client, urls } = clientAnswering(() => json(200, drivers));
    await expect(client.listDrivers()).resolves.toEqual(drivers);
    expect(urls).toEqual(['http://backstage.test/api/orchestrator/drivers']);
  });

  it('reads every page of the resources of all apps', async () => {
    const resource = (uid: string) => ({ app: 'shop', env: 'dev', uid, status: 'orphaned' });
    const { client, urls } = clientAnswering(url =>
      url.includes('cursor=next')
        ? json(200, { items: [resource('b')] })
        : json(200, { items: [resource('a')], nextCursor: 'next' }),
    );
    expect((await client.listAllResources({ status: 'orphaned' })).map(r => r.uid)).toEqual(['a', 'b']);
    expect(urls).toEqual([
      'http://backstage.test/api/orchestrator/resources?status=orphaned&limit=1000',
      'http://backstage.test/api/orchestrator/resources?status=orphaned&limit=1000&cursor=next',
    ]);
  });

  it('sends a definition as YAML, forced only when asked', async () => {
    const sent: { url: string; contentType?: string; body?: unknown }[] = [];
    const client = new OrchestratorClient({
      discoveryApi: { getBaseUrl: async pluginId => `http://backstage.test/api/${pluginId}` },
      fetchApi: {
        fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
          const headers = init?.headers as Record<string, string>;
          sent.push({ url: String(input), contentType: headers['content-type'], body: init?.body });
          return json(200, { metadata: { id: 'pg' } });
        },
      },
    });
    const yaml = 'apiVersion: baton.dev/v1\nkind: ResourceDefinition\nmetadata: { id: pg }\n';
    await client.putDefinition('pg', yaml);
    await client.putDefinition('pg', yaml, { force: true });
    expect(sent).toEqual([
      { url: 'http://backstage.test/api/orchestrator/resource-definitions/pg', contentType: 'application/yaml', body: yaml },
      { url: 'http://backstage.test/api/orchestrator/resource-definitions/pg?force=true', contentType: 'application/yaml', body: yaml },
    ]);
  });
});
