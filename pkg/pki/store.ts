// The on-disk PKI of a karmada-apiserver data directory: created once, reused on restart, shared safely by
// several server processes pointing at the same directory.
//
// Concurrency: an O_EXCL lock file serializes load-or-create across processes (stale locks of dead
// processes are broken), and every file that must be unique (CA, keys) is published with link(2), which
// fails if the name exists, so even without the lock two racing creators end up reading the same winner.
// Replaceable files (re-issued certificates) are written to a temp file and renamed into place.

import { randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

import {
  type CertificateAuthority,
  caCertHash,
  certCoversHosts,
  certMatchesKey,
  certificateInfo,
  createCA,
  generateECKeyPem,
  generateRSAKeyPem,
  isSignedBy,
  issueClientCert,
  issueServingCert,
  publicKeyPem,
} from './certs.js';

export interface PKILogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export interface LoadOrCreatePKIOptions {
  /** DNS names and IPs for the serving certificate; localhost, 127.0.0.1 and ::1 are always included. */
  hosts: string[];
  logger?: PKILogger;
  /** Admin client certificate identity (default CN=karmada-admin, O=system:masters). */
  adminCommonName?: string;
  adminOrganizations?: string[];
  caCommonName?: string;
  servingCommonName?: string;
  /** Validity of the CA (default 3650 days) and of leaf certificates (default 365 days). */
  caDays?: number;
  leafDays?: number;
  /** Leaf certificates closer than this to expiry are re-issued on load (default 30 days). */
  renewBeforeDays?: number;
  /** How long to wait for another process holding the PKI lock (default 60s). */
  lockTimeoutMs?: number;
}

export interface PKI {
  dir: string;
  caCertPem: string;
  caKeyPem: string;
  servingCertPem: string;
  servingKeyPem: string;
  adminCertPem: string;
  adminKeyPem: string;
  /** RSA key for signing service-account tokens, and its public half (PEM "PUBLIC KEY"). */
  serviceAccountKeyPem: string;
  serviceAccountPubPem: string;
  /** The CA as a signer for issueClientCert/signCSR. */
  ca: CertificateAuthority;
  /** kubeadm-style sha256:<hex> pin of the CA public key. */
  caCertHash: string;
  /** Every SAN of the serving certificate (requested hosts plus any kept from earlier runs). */
  servingHosts: string[];
}

export const PKI_FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  servingCert: 'apiserver.crt',
  servingKey: 'apiserver.key',
  adminCert: 'admin.crt',
  adminKey: 'admin.key',
  saKey: 'sa.key',
  saPub: 'sa.pub',
} as const;

export const DEFAULT_SERVING_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

const DAY_MS = 24 * 60 * 60 * 1000;
const KEY_MODE = 0o600;
const CERT_MODE = 0o644;
const LOCK_STALE_MS = 60_000;

const noopLogger: PKILogger = { info() {}, warn() {} };

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function tmpName(file: string): string {
  return `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/** Creates `file` with `data` only if it does not exist; false when another writer got there first. */
async function writeExclusive(file: string, data: string, mode: number): Promise<boolean> {
  const tmp = tmpName(file);
  await fs.writeFile(tmp, data, { mode, flag: 'wx' });
  try {
    await fs.link(tmp, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') {
      // filesystem without hard links: O_EXCL create (content written right after)
      try {
        await fs.writeFile(file, data, { mode, flag: 'wx' });
        return true;
      } catch (e2) {
        if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw e2;
      }
    }
    throw e;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** Atomically replaces (or creates) `file`. */
async function writeAtomic(file: string, data: string, mode: number): Promise<void> {
  const tmp = tmpName(file);
  try {
    await fs.writeFile(tmp, data, { mode, flag: 'wx' });
    await fs.chmod(tmp, mode);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** Publishes `data` at `file` unless it already exists, and returns what the file holds afterwards. */
async function createOnce(file: string, data: string, mode: number): Promise<string> {
  await writeExclusive(file, data, mode);
  const winner = await readIfExists(file);
  if (winner === undefined) throw new Error(`${file} vanished after creation`);
  return winner;
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes the directory's PKI lock; resolves to its release function. */
async function acquireLock(dir: string, timeoutMs: number, logger: PKILogger): Promise<() => Promise<void>> {
  const lockPath = path.join(dir, '.pki.lock');
  const token = `${process.pid}\n${hostname()}\n${randomUUID()}\n`;
  const deadline = Date.now() + timeoutMs;
  let waitedLogged = false;
  for (;;) {
    try {
      await fs.writeFile(lockPath, token, { flag: 'wx', mode: KEY_MODE });
      return async () => {
        if ((await readIfExists(lockPath)) === token) await fs.rm(lockPath, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let stale = false;
    try {
      const [st, content] = await Promise.all([fs.stat(lockPath), fs.readFile(lockPath, 'utf8')]);
      const [pidText, host] = content.split('\n');
      const age = Date.now() - st.mtimeMs;
      stale = age > LOCK_STALE_MS || (content !== '' && host === hostname() && !pidAlive(Number(pidText)));
      if (stale) {
        // Move the stale lock aside (atomic) before removing it, so only one breaker wins.
        const aside = `${lockPath}.stale.${randomBytes(4).toString('hex')}`;
        await fs.rename(lockPath, aside);
        const moved = await readIfExists(aside);
        await fs.rm(aside, { force: true });
        if (moved !== content) logger.warn({ lock: lockPath }, 'broke a PKI lock that changed while checking it');
        else logger.warn({ lock: lockPath, holder: pidText }, 'removed stale PKI lock');
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      continue; // released meanwhile
    }
    if (stale) continue;
    if (Date.now() > deadline) throw new Error(`timed out waiting for PKI lock ${lockPath}`);
    if (!waitedLogged) {
      logger.info({ lock: lockPath }, 'waiting for another process to finish PKI setup');
      waitedLogged = true;
    }
    await sleep(25 + Math.floor(Math.random() * 50));
  }
}

/**
 * Loads the PKI from `dir`, creating whatever is missing: CA (ca.crt/ca.key), serving certificate
 * (apiserver.crt/key, SANs = hosts + localhost/127.0.0.1/::1), admin client certificate (admin.crt/key) and
 * the service-account signing key (sa.key/sa.pub). Existing material is reused; a serving certificate that
 * lacks a requested SAN (or is near expiry, or was not issued by this CA) is re-issued from the same CA and key.
 */
export async function loadOrCreatePKI(dir: string, opts: LoadOrCreatePKIOptions): Promise<PKI> {
  const logger = opts.logger ?? noopLogger;
  const leafDays = opts.leafDays ?? 365;
  const renewBeforeMs = (opts.renewBeforeDays ?? 30) * DAY_MS;
  const adminCN = opts.adminCommonName ?? 'karmada-admin';
  const adminOrgs = opts.adminOrganizations ?? ['system:masters'];
  const file = (name: string) => path.join(dir, name);

  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const release = await acquireLock(dir, opts.lockTimeoutMs ?? 60_000, logger);
  try {
    // ---- CA
    let caKeyPem = await readIfExists(file(PKI_FILES.caKey));
    let caCertPem = await readIfExists(file(PKI_FILES.caCert));
    if (caCertPem === undefined && caKeyPem !== undefined) {
      // key without certificate (e.g. a crash between the two writes): self-sign it
    } else if (caCertPem !== undefined && caKeyPem === undefined) {
      throw new Error(`${file(PKI_FILES.caCert)} exists but ${PKI_FILES.caKey} is missing; cannot issue certificates`);
    }
    if (caKeyPem === undefined) {
      caKeyPem = await createOnce(file(PKI_FILES.caKey), await generateECKeyPem(), KEY_MODE);
    }
    if (caCertPem === undefined) {
      const ca = await createCA({ keyPem: caKeyPem, commonName: opts.caCommonName, days: opts.caDays });
      caCertPem = await createOnce(file(PKI_FILES.caCert), ca.certPem, CERT_MODE);
      logger.info({ dir, caCertHash: caCertHash(caCertPem) }, 'created cluster CA');
    }
    if (!certMatchesKey(caCertPem, caKeyPem)) throw new Error(`${PKI_FILES.caCert} does not match ${PKI_FILES.caKey} in ${dir}`);
    if (!certificateInfo(caCertPem).isCA) throw new Error(`${file(PKI_FILES.caCert)} is not a CA certificate`);
    const ca: CertificateAuthority = { certPem: caCertPem, keyPem: caKeyPem };

    const leafNeedsRenewal = async (certPem: string | undefined, keyPem: string): Promise<string | undefined> => {
      if (certPem === undefined) return 'missing';
      if (!certMatchesKey(certPem, keyPem)) return 'does not match its key';
      if (!(await isSignedBy(certPem, caCertPem))) return 'not issued by the CA';
      if (certificateInfo(certPem).notAfter.getTime() - Date.now() < renewBeforeMs) return 'expiring';
      return undefined;
    };

    // ---- serving certificate
    const servingKeyPem =
      (await readIfExists(file(PKI_FILES.servingKey))) ?? (await createOnce(file(PKI_FILES.servingKey), await generateECKeyPem(), KEY_MODE));
    let servingCertPem = await readIfExists(file(PKI_FILES.servingCert));
    const wantHosts = [...DEFAULT_SERVING_HOSTS, ...opts.hosts];
    let why = await leafNeedsRenewal(servingCertPem, servingKeyPem);
    if (!why && !certCoversHosts(servingCertPem!, wantHosts)) why = 'missing requested SANs';
    if (why) {
      // Keep SANs other processes sharing this directory asked for.
      const keep: string[] = [];
      if (servingCertPem && why !== 'not issued by the CA' && why !== 'does not match its key') {
        const info = certificateInfo(servingCertPem);
        keep.push(...info.dnsNames, ...info.ipAddresses);
      }
      const issued = await issueServingCert(ca, {
        hosts: [...wantHosts, ...keep],
        keyPem: servingKeyPem,
        days: leafDays,
        commonName: opts.servingCommonName,
      });
      await writeAtomic(file(PKI_FILES.servingCert), issued.certPem, CERT_MODE);
      servingCertPem = issued.certPem;
      logger.info({ reason: why, hosts: [...certificateInfo(servingCertPem).dnsNames, ...certificateInfo(servingCertPem).ipAddresses] }, 'issued serving certificate');
    }

    // ---- admin client certificate
    const adminKeyPem =
      (await readIfExists(file(PKI_FILES.adminKey))) ?? (await createOnce(file(PKI_FILES.adminKey), await generateECKeyPem(), KEY_MODE));
    let adminCertPem = await readIfExists(file(PKI_FILES.adminCert));
    let adminWhy = await leafNeedsRenewal(adminCertPem, adminKeyPem);
    if (!adminWhy) {
      const info = certificateInfo(adminCertPem!);
      if (info.subjectCN !== adminCN || info.organizations.join('\n') !== adminOrgs.join('\n')) adminWhy = 'identity changed';
    }
    if (adminWhy) {
      const issued = await issueClientCert(ca, { commonName: adminCN, organizations: adminOrgs, keyPem: adminKeyPem, days: leafDays });
      await writeAtomic(file(PKI_FILES.adminCert), issued.certPem, CERT_MODE);
      adminCertPem = issued.certPem;
      logger.info({ reason: adminWhy, commonName: adminCN, organizations: adminOrgs }, 'issued admin client certificate');
    }

    // ---- service-account signing key
    const saKeyPem = (await readIfExists(file(PKI_FILES.saKey))) ?? (await createOnce(file(PKI_FILES.saKey), await generateRSAKeyPem(), KEY_MODE));
    const saPubPem = publicKeyPem(saKeyPem);
    if ((await readIfExists(file(PKI_FILES.saPub))) !== saPubPem) await writeAtomic(file(PKI_FILES.saPub), saPubPem, CERT_MODE);

    const servingInfo = certificateInfo(servingCertPem!);
    return {
      dir,
      caCertPem,
      caKeyPem,
      servingCertPem: servingCertPem!,
      servingKeyPem,
      adminCertPem: adminCertPem!,
      adminKeyPem,
      serviceAccountKeyPem: saKeyPem,
      serviceAccountPubPem: saPubPem,
      ca,
      caCertHash: caCertHash(caCertPem),
      servingHosts: [...servingInfo.dnsNames, ...servingInfo.ipAddresses],
    };
  } finally {
    await release();
  }
}
