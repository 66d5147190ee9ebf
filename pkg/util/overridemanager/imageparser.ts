// Karmada's imageparser (pkg/util/imageparser): an image reference split into
// [registry[:port]/]repository[:tag|@digest], parsed with the grammar of distribution's reference.Parse.
// Like upstream, no Docker Hub normalisation happens: "nginx" has an empty registry, and a Registry
// override on it simply prefixes one.

// distribution/reference grammar (regexp.go).
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const domainAndPort = `(?:${domainName}|${ipv6address})(?::[0-9]+)?`;
const namePattern = `(?:${domainAndPort}/)?${pathComponent}(?:/${pathComponent})*`;
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';

const referenceRegexp = new RegExp(`^(${namePattern})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
const anchoredTagRegexp = new RegExp(`^${tagPattern}$`);
const anchoredDigestRegexp = new RegExp(`^${digestPattern}$`);

const NAME_TOTAL_LENGTH_MAX = 255;
/** Digest algorithms available to go-digest in Karmada (sha256, sha384, sha512) and their hex lengths. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** go-digest Digest.Validate. */
function validateDigest(d: string): void {
  const i = d.indexOf(':');
  if (i <= 0 || i + 1 === d.length) throw new Error('invalid checksum digest format');
  const algorithm = d.slice(0, i);
  const encoded = d.slice(i + 1);
  const size = DIGEST_HEX_LENGTH[algorithm];
  if (size === undefined) {
    if (!anchoredDigestRegexp.test(d)) throw new Error('invalid checksum digest format');
    throw new Error('unsupported digest algorithm');
  }
  if (encoded.length !== size) throw new Error('invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(encoded)) throw new Error('invalid checksum digest format');
}

/** imageparser.SplitHostname: the part before the first "/" is a registry when it has a "." or ":" or is localhost. */
export function splitHostname(name: string): [hostname: string, remoteName: string] {
  const i = name.indexOf('/');
  if (i === -1) return ['', name];
  const head = name.slice(0, i);
  if (!/[.:]/.test(head) && head !== 'localhost') return ['', name];
  return [head, name.slice(i + 1)];
}

/** imageparser.Components. Tag and digest never co-exist: a tag wins, as upstream keeps only the tag. */
export class ImageComponents {
  constructor(
    public hostname = '',
    public repository = '',
    public tag = '',
    public digest = '',
  ) {}

  fullRepository(): string {
    return this.hostname === '' ? this.repository : `${this.hostname}/${this.repository}`;
  }

  toString(): string {
    if (this.tag !== '') return `${this.fullRepository()}:${this.tag}`;
    if (this.digest !== '') return `${this.fullRepository()}@${this.digest}`;
    return this.fullRepository();
  }

  tagOrDigest(): string {
    return this.tag !== '' ? this.tag : this.digest;
  }

  /** Sets the tag or the digest, whichever the input is; input that is neither is ignored (upstream). */
  setTagOrDigest(input: string): void {
    if (anchoredTagRegexp.test(input)) {
      this.tag = input;
      this.digest = '';
    } else if (anchoredDigestRegexp.test(input)) {
      this.digest = input;
      this.tag = '';
    }
  }

  removeTagOrDigest(): void {
    if (this.tag !== '') this.tag = '';
    else this.digest = '';
  }
}

/** imageparser.Parse; throws with distribution's message for an invalid reference. */
export function parseImage(image: string): ImageComponents {
  const m = referenceRegexp.exec(image);
  if (!m) {
    if (image === '') throw new Error('repository name must have at least one component');
    if (referenceRegexp.test(image.toLowerCase())) throw new Error('repository name must be lowercase');
    throw new Error('invalid reference format');
  }
  const [, name, tag = '', digest = ''] = m;
  if (name!.length > NAME_TOTAL_LENGTH_MAX) throw new Error(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  if (digest !== '') validateDigest(digest);
  const [hostname, repository] = splitHostname(name!);
  return tag !== '' ? new ImageComponents(hostname, repository, tag, '') : new ImageComponents(hostname, repository, '', digest);
}
