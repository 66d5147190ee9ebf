// Regenerates crds/ from pkg/apis: one apiextensions.k8s.io/v1 CRD per Karmada kind (Cluster excepted,
// it is served natively). Run with `npm run gen:crds`; `--check` only reports drift (exit 1).

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CRD_KINDS, crdFileName, crdYAML } from '../pkg/apis/crd.js';

/** crds/ of the repository (this file runs as dist/hack/gen-crds.js). */
export const CRDS_DIR = fileURLToPath(new URL('../../crds/', import.meta.url));

/** File name → content that crds/ should hold. */
export function expectedCRDFiles(): Map<string, string> {
  return new Map(CRD_KINDS.map((k) => [crdFileName(k), crdYAML(k)]));
}

/** Names of files in crds/ that differ from generation (missing, changed, or stale). */
export function crdDrift(dir: string = CRDS_DIR): string[] {
  const want = expectedCRDFiles();
  let have: string[] = [];
  try {
    have = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  } catch {
    /* no directory: everything is missing */
  }
  const drift: string[] = [];
  for (const [name, content] of want) {
    let cur: string | undefined;
    try {
      cur = readFileSync(`${dir}/${name}`, 'utf8');
    } catch {
      cur = undefined;
    }
    if (cur !== content) drift.push(name);
  }
  for (const f of have) if (!want.has(f)) drift.push(f);
  return drift.sort();
}

export function writeCRDs(dir: string = CRDS_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const want = expectedCRDFiles();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) if (!want.has(f)) rmSync(`${dir}/${f}`);
  for (const [name, content] of want) writeFileSync(`${dir}/${name}`, content);
  return [...want.keys()];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    const drift = crdDrift();
    if (drift.length) {
      console.error(`crds/ is out of date (${drift.join(', ')}); run \`npm run gen:crds\``);
      process.exit(1);
    }
    console.log('crds/ is up to date');
  } else {
    for (const f of writeCRDs()) console.log(`crds/${f}`);
  }
}
