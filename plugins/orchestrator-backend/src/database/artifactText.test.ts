import { artifactFromText, artifactToText } from './artifactText';

describe('artifact texts', () => {
  it('keeps a small artifact as plain JSON', async () => {
    const text = await artifactToText({ added: ['a'], removed: [] });
    expect(text).toBe('{"added":["a"],"removed":[]}');
    expect(await artifactFromText(text)).toEqual({ added: ['a'], removed: [] });
  });

  it('compresses a big one and reads it back as it was', async () => {
    const delivered = Object.fromEntries(
      Array.from({ length: 2000 }, (_, i) => [`svc-${i}.yaml`, `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-${i}\n`]),
    );
    const text = await artifactToText(delivered);
    expect(text.startsWith('gzip:')).toBe(true);
    expect(text.length).toBeLessThan(JSON.stringify(delivered).length / 5);
    expect(await artifactFromText(text)).toEqual(delivered);
  });

  it('reads what was stored before artifacts were compressed, and nothing as undefined', async () => {
    expect(await artifactFromText('{"hash":"abc","nodes":[]}')).toEqual({ hash: 'abc', nodes: [] });
    expect(await artifactFromText(null)).toBeUndefined();
  });
});
