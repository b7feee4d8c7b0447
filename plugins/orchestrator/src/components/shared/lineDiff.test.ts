import { lineDiff } from './lineDiff';

describe('lineDiff', () => {
  it('keeps common lines and marks the changed one as removed and added', () => {
    expect(lineDiff('kind: Deployment\nreplicas: 1\nimage: web:1\n', 'kind: Deployment\nreplicas: 2\nimage: web:1\n')).toEqual([
      { kind: ' ', text: 'kind: Deployment' },
      { kind: '-', text: 'replicas: 1' },
      { kind: '+', text: 'replicas: 2' },
      { kind: ' ', text: 'image: web:1' },
    ]);
  });

  it('shows a new file as all added and a deleted one as all removed', () => {
    expect(lineDiff('', 'a\nb')).toEqual([{ kind: '+', text: 'a' }, { kind: '+', text: 'b' }]);
    expect(lineDiff('a', '')).toEqual([{ kind: '-', text: 'a' }]);
  });
});
