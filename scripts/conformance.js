// Runs the `baton` CLI in-process over a corpus of Score files (see
// scripts/conformance). Groups: files whose names share a sample prefix
// (`samples__<app>__…`, `examples__<NN>-…`) form one app; two files declaring
// the same workload name are alternatives and run in separate groups.
const fs = require('node:fs');
const path = require('node:path');
const yaml = require('js-yaml');
const { main } = require('../packages/cli/src');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: scripts/conformance DIR');
  process.exit(2);
}
const definitions = ['common', 'development'].flatMap(folder => [
  '--definitions',
  path.resolve(__dirname, '../examples/definitions', folder),
]);
const os = require('node:os');

// The corpus stores `dir/sub/file` as `dir__sub__file`; rebuild that layout in
// `root` (a temporary folder, removed once the group has run) so files a Score
// file names by relative path are found.
function restoreLayout(root, files) {
  const restored = new Map();
  for (const file of scoreAndDataFiles(path.dirname(files[0]))) {
    const target = path.join(root, path.basename(file).split('__').join(path.sep));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(file, target);
    restored.set(file, target);
  }
  return files.map(f => restored.get(f));
}

function scoreAndDataFiles(dirOfCorpus) {
  return fs.readdirSync(dirOfCorpus).map(name => path.join(dirOfCorpus, name)).filter(f => fs.statSync(f).isFile());
}

function scoreFiles(root) {
  const out = [];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) out.push(...scoreFiles(full));
    else if (/\.ya?ml$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}

// Files that are not meant to plan: they reference files missing upstream or
// use placeholder resource types invented for the schema sample.
const validateOnly = new Set([
  'spec/samples__score-full.yaml',
  'score-go/schema__files__samples__score-full.yaml',
]);

function groupKey(rel) {
  const base = path.basename(rel);
  const sample = base.match(/^(samples__[^_]+(?:_[^_]+)*?)__/);
  if (sample) return `${path.dirname(rel)}/${sample[1]}`;
  const example = base.match(/^(examples__\d+)-/);
  if (example) return `${path.dirname(rel)}/${example[1]}`;
  return rel;
}

async function run(args) {
  let out = '';
  let err = '';
  const code = await main(['node', 'baton', ...args], {
    stdout: t => (out += t),
    stderr: t => (err += t),
  });
  return { code, out, err };
}

(async () => {
  const files = scoreFiles(dir);
  let failed = 0;
  let passed = 0;

  const validation = await run(['validate', ...files]);
  if (validation.code !== 0) {
    failed++;
    console.log(`validate: FAILED\n${validation.err}`);
  } else {
    passed++;
    console.log(`validate: ${files.length} files valid`);
  }

  const groups = new Map();
  for (const file of files) {
    const rel = path.relative(dir, file);
    if (validateOnly.has(rel)) continue;
    const key = groupKey(rel);
    const name = yaml.load(fs.readFileSync(file, 'utf8')).metadata.name;
    // Alternatives for one workload go to the next free variant of the group.
    let variant = 0;
    while (groups.get(`${key}#${variant}`)?.names.has(name)) variant++;
    const group = groups.get(`${key}#${variant}`) ?? { files: [], names: new Set() };
    group.files.push(file);
    group.names.add(name);
    groups.set(`${key}#${variant}`, group);
  }

  for (const [key, group] of groups) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-conformance-'));
    let render;
    try {
      const scoreArgs = restoreLayout(root, group.files).flatMap(f => ['--score', f]);
      const common = ['--app', 'conformance', '--env', 'dev', '--env-type', 'development', ...definitions];
      const plan = await run(['plan', ...common, ...scoreArgs]);
      // `image: .` (built from the sample's directory) needs the image a build would give, as score-k8s's --image.
      render = plan.code === 0 ? await run(['render', ...common, '--image', 'example.com/conformance:latest', ...scoreArgs]) : plan;
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
    if (render.code === 0) {
      passed++;
      console.log(`plan+render ${key}: ok (${group.files.length} workloads)`);
    } else {
      failed++;
      console.log(`plan+render ${key}: FAILED\n${render.err}`);
    }
  }
  console.log(`conformance: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})().catch(error => {
  console.error(error);
  process.exit(1);
});
