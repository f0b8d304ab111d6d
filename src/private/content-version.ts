import { createHash } from 'crypto';

/**
 * Image Builder recipes and components are immutable: a changed document under an
 * unchanged version fails the stack update. Deriving the version from the content
 * makes every edit a new version, and an unchanged document keeps its version.
 *
 * The result is `1.<a>.<b>` where a and b come from a SHA-256 of the content; both
 * stay below 2^30, the largest number the service takes in a version part.
 */
export function contentVersion(...content: string[]): string {
  const digest = createHash('sha256').update(content.join('\u0000')).digest();
  const minor = digest.readUInt32BE(0) % 2 ** 30;
  const patch = digest.readUInt32BE(4) % 2 ** 30;
  return `1.${minor}.${patch}`;
}

/** A stable hash (SHA-256, hex) for fingerprints that are compared, never shown as versions. */
export function contentHash(...content: string[]): string {
  return createHash('sha256').update(content.join('\u0000')).digest('hex');
}
