export {
  type CertificateAuthority,
  type CertAndKey,
  type CertificateInfo,
  SUPPORTED_CSR_USAGES,
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
  normalizeIP,
  publicKeyPem,
  signCSR,
} from './certs.js';
export { type LoadOrCreatePKIOptions, type PKI, type PKILogger, DEFAULT_SERVING_HOSTS, PKI_FILES, loadOrCreatePKI } from './store.js';
export { type BuildKubeconfigOptions, type KubeconfigUser, buildKubeconfig, writeKubeconfig } from './kubeconfig.js';
export { type CreateCSROptions, type CSRAndKey, type ParsedCSR, createCSR, parseCSR } from './csr.js';
