import { execFileSync } from 'node:child_process';

/** The files a commit changed against its parent, as `git` sees them. */
export function changedFiles(gitDir: string, commit: string): string[] {
  return execFileSync('git', ['--git-dir', gitDir, 'diff-tree', '--root', '--no-commit-id', '--name-only', '-r', commit])
    .toString()
    .trim()
    .split('\n')
    .filter(Boolean)
    .sort();
}
