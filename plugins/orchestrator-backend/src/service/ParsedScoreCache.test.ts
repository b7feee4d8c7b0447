import { ScoreWorkload } from '@baton/backstage-plugin-orchestrator-common';
import { canonicalJson } from '@baton/backstage-plugin-orchestrator-node';
import { ParsedScoreCache } from './ParsedScoreCache';

const score = (name: string, image = 'nginx') => `apiVersion: score.dev/v1b1
metadata: { name: ${name} }
containers:
  main: { image: ${image} }
`;

describe('ParsedScoreCache', () => {
  it('answers a text parsed before with the same workload, which nothing can change', () => {
    const cache = new ParsedScoreCache();
    const first = cache.parse(score('web'), 'workloads[0]');
    const again = cache.parse(score('web'), 'workloads[3]');
    expect(first.diagnostics).toEqual([]);
    expect(again.workload).toBe(first.workload);
    expect(again.workload).toMatchObject({ metadata: { name: 'web' }, containers: { main: { image: 'nginx' } } });
    expect(() => {
      (again.workload!.containers.main as { image: string }).image = 'evil';
    }).toThrow(TypeError);
    expect(cache.parse(score('web', 'nginx:2'), 'workloads[0]').workload?.containers.main.image).toBe('nginx:2');
  });

  it('never keeps a text with a problem: each request hears about its own file', () => {
    const cache = new ParsedScoreCache();
    const broken = 'apiVersion: score.dev/v1b1\nmetadata: { name: web }\n';
    expect(cache.parse(broken, 'workloads[0]').diagnostics[0].file).toBe('workloads[0]');
    const again = cache.parse(broken, 'workloads[5]');
    expect(again.workload).toBeUndefined();
    expect(again.diagnostics[0].file).toBe('workloads[5]');
  });

  it('keeps at most its size in text, dropping the least recently used', () => {
    const size = score('svc-a').length;
    const cache = new ParsedScoreCache(size * 2);
    const a = cache.parse(score('svc-a'), 'a').workload;
    const b = cache.parse(score('svc-b'), 'b').workload;
    expect(a && b).toBeDefined();
    expect(cache.parse(score('svc-a'), 'a').workload).toBe(a); // a is now the most recent
    cache.parse(score('svc-c'), 'c'); // b goes
    expect(cache.parse(score('svc-a'), 'a').workload).toBe(a);
    expect(cache.parse(score('svc-b'), 'b').workload).not.toBe(b);
  });

  it('gives the canonical JSON of any workload, made once for the ones it keeps', () => {
    const cache = new ParsedScoreCache();
    const { workload } = cache.parse(score('web'), 'workloads[0]');
    expect(cache.canonicalJsonOf(workload!)).toBe(canonicalJson(workload));
    const posted: ScoreWorkload = { apiVersion: 'score.dev/v1b1', metadata: { name: 'api' }, containers: { main: { image: 'x' } } };
    expect(cache.canonicalJsonOf(posted)).toBe(canonicalJson(posted));
    posted.containers.main.image = 'y';
    expect(cache.canonicalJsonOf(posted)).toContain('"y"');
  });
});
