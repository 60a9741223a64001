/**
 * Masks asset hashes (64 hex digits) in snapshots so that they hold on every machine: an asset's
 * hash can depend on file modes and line endings of a checkout, which a snapshot should not.
 */
const ASSET_HASH = /[0-9a-f]{64}/g;

module.exports = {
  test: (value: unknown): boolean => typeof value === 'string' && /[0-9a-f]{64}/.test(value),
  serialize: (value: string): string => JSON.stringify(value.replace(ASSET_HASH, '<asset-hash>')),
};
