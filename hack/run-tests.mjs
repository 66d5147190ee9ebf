#!/usr/bin/env node
// Runs the compiled tests with node's test runner. Files are listed here rather than by glob because
// Node 20 and Node 22+ interpret `node --test <pattern>` differently.
// Usage: node hack/run-tests.mjs [dir-or-file ...]   (default: dist/pkg dist/e2e)
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['dist/pkg', 'dist/e2e', 'dist/hack'];
const files = [];
const walk = (p) => {
  if (!existsSync(p)) return;
  if (statSync(p).isDirectory()) {
    for (const e of readdirSync(p).sort()) walk(join(p, e));
  } else if (p.endsWith('.test.js')) files.push(p);
};
roots.forEach(walk);
if (!files.length) {
  console.error('no test files found under', roots.join(', '), '- run `npm run build` first');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
