import { Box, Typography } from '@material-ui/core';
import { lineDiff } from '../shared/lineDiff';

const DIFF_BACKGROUNDS: Record<string, string | undefined> = { '+': 'rgba(46,125,50,0.18)', '-': 'rgba(198,40,40,0.18)' };
/** How a proposed value that only provisioning tells reads; such lines stand out. */
const KNOWN_AFTER_PROVISIONING = '(known after provisioning: ';

/**
 * Rendered manifests' line diff, file by file: a deployment's against the
 * previous one's, or a waiting deployment's proposed ones against what the
 * environment runs. `unchanged` says that nothing differs.
 */
export const ManifestDiff = ({ before, after, unchanged = 'The delivered manifests did not change.' }: {
  before: Record<string, string>;
  after: Record<string, string>;
  unchanged?: string;
}) => {
  const files = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changed = files.filter(f => before[f] !== after[f]);
  if (!changed.length) return <Typography>{unchanged}</Typography>;
  return (
    <>
      {changed.map(file => (
        <Box key={file} marginBottom={2}>
          <Typography variant="subtitle2">
            {file} {!(file in before) && '(new)'} {!(file in after) && '(removed)'}
          </Typography>
          <pre style={{ margin: 0, padding: 8, background: 'rgba(127,127,127,0.08)', overflowX: 'auto', fontSize: 12 }}>
            {lineDiff(before[file] ?? '', after[file] ?? '').map((line, i) => (
              <div
                key={i}
                style={{
                  background: DIFF_BACKGROUNDS[line.kind],
                  ...(line.kind === '+' && line.text.includes(KNOWN_AFTER_PROVISIONING) ? { fontStyle: 'italic', color: '#b26a00' } : {}),
                }}
              >
                {line.kind} {line.text}
              </div>
            ))}
          </pre>
        </Box>
      ))}
    </>
  );
};
