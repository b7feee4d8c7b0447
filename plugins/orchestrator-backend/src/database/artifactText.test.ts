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

  it('keeps every character of a text bigger than the compressor takes at a time', async () => {
    // Multi-byte characters at every position, a long string escaped in pieces, and one
    // value below the walked levels whose JSON is bigger than a compressor buffer.
    const line = 'ü ✓ 😀 "quoted" \\ \n';
    const artifact = {
      files: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`svc-${i}-ü.yaml`, `${line.repeat(1 + (i % 40))}${i}`])),
      long: `😀${'é'.repeat(200_000)}😀`,
      nested: { deep: { text: '✓'.repeat(600_000) } },
    };
    const text = await artifactToText(artifact);
    expect(text.startsWith('gzip:')).toBe(true);
    expect(await artifactFromText(text)).toEqual(artifact);
  });

  it('reads a big graph back node by node as it was', async () => {
    const graph = {
      hash: 'abc',
      nodes: Array.from({ length: 3000 }, (_, i) => ({
        uid: `postgres.default#modules.w${i}.externals.db`,
        dependsOn: i ? [`workload.default#modules.w${i - 1}`] : [],
        params: { note: `"quoted" }{ ${i}`, size: i % 3 ? null : 1.5 },
      })),
    };
    const text = await artifactToText(graph);
    expect(text.startsWith('gzip:')).toBe(true);
    expect(await artifactFromText(text)).toEqual(graph);
  });

  it('reads what was stored before artifacts were compressed, and nothing as undefined', async () => {
    expect(await artifactFromText('{"hash":"abc","nodes":[]}')).toEqual({ hash: 'abc', nodes: [] });
    expect(await artifactFromText(null)).toBeUndefined();
  });
});
