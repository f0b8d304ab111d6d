import { Token } from 'aws-cdk-lib';
import { ANCESTRY_LEVEL, catalogueBaseOf, LATEST_LEVEL, REVOKED_LEVEL } from '../../private/catalog';
import { quoteValue, validateUnique } from '../../private/validation';

/**
 * The trust chain's names in the SSM catalogue and in IAM (the issue 11 contract): a golden
 * image's parameters live under `<base>`, its `ssmParameterName` without the last level.
 */

/** Levels a channel cannot take: the catalogue's own entries. */
export const RESERVED_CHANNELS = [LATEST_LEVEL, REVOKED_LEVEL, ANCESTRY_LEVEL];
/** The most channels an image takes: each adds a promotion document (and, for a soak, a schedule rule). */
export const MAX_CHANNELS = 10;
/** Characters of one level of an SSM parameter name. */
const LEVEL = /^[A-Za-z0-9_.-]{1,64}$/;

/** The role each target account gives the factory's trust-chain automations (a fixed name, like Image Builder's). */
export const TRUST_CHAIN_TARGET_ROLE_NAME = 'GoldenAmiTrustChainRole';
/** The prefix of every factory trust-chain automation role: the target role trusts `role/<prefix>*` of the factory. */
export const TRUST_CHAIN_ROLE_PREFIX = 'GoldenAmiTrustChain';

/**
 * `<base>` of a parameter name: the name without its last level. Throws when the name is a
 * token (the base cannot be cut out of it at synth) or has no parent level.
 */
export function catalogueBase(prop: string, parameterName: string, why: string): string {
  if (Token.isUnresolved(parameterName)) {
    throw new Error(`${why} needs ${prop} as a literal (its parent level names the channels and the revocation list), got a token: ${quoteValue(parameterName)}`);
  }
  const base = catalogueBaseOf(parameterName);
  if (base === undefined) {
    throw new Error(`${why} needs ${prop} with a parent level, such as /golden-ami/<name>/latest (the channels and the revocation list are its siblings), got: ${quoteValue(parameterName)}`);
  }
  return base;
}

/** Checks one channel name: one SSM path level, not a reserved one. */
export function validateChannel(prop: string, channel: string): void {
  if (typeof channel !== 'string' || Token.isUnresolved(channel) || !LEVEL.test(channel)) {
    throw new Error(`${prop} must be one SSM parameter path level of 1 to 64 letters, digits, _ . - (known at synth), got: ${quoteValue(channel)}`);
  }
  if (RESERVED_CHANNELS.includes(channel.toLowerCase())) {
    throw new Error(`${prop} must not be ${RESERVED_CHANNELS.join(', ')} (the catalogue's own entries next to the channels), got: ${quoteValue(channel)}`);
  }
}

/** Checks the channels of a golden image. */
export function validateChannels(prop: string, channels: string[]): void {
  if (!Array.isArray(channels) || channels.length === 0 || channels.length > MAX_CHANNELS) {
    throw new Error(`${prop} must list 1 to ${MAX_CHANNELS} channel names, got: ${quoteValue(Array.isArray(channels) ? channels.join(', ') : channels)}`);
  }
  channels.forEach((channel, i) => validateChannel(`${prop}[${i}]`, channel));
  validateUnique(prop, channels.map(channel => channel.toLowerCase()));
}
