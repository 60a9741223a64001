/**
 * Masks what depends on the machine in CloudFormation templates, so that snapshots hold
 * everywhere: asset hashes (64 hex digits, from file contents that line endings or a build can
 * change) and the hash suffix of Lambda version logical ids, which is taken from the code hash.
 */
const ASSET_HASH = /[0-9a-f]{64}/g;
const VERSION_HASH = /(CurrentVersion[0-9A-F]{8})[0-9a-f]{32}/g;
const MASKED = Symbol.for('stagegraph.masked');

function isTemplate(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && 'Resources' in value && !(MASKED in value);
}

module.exports = {
  test: isTemplate,
  serialize: (
    value: Record<string, unknown>,
    config: unknown,
    indentation: string,
    depth: number,
    refs: unknown,
    printer: (...args: unknown[]) => string,
  ): string => {
    const masked = JSON.parse(
      JSON.stringify(value).replace(ASSET_HASH, '<asset-hash>').replace(VERSION_HASH, '$1<version-hash>'),
    );
    Object.defineProperty(masked, MASKED, { value: true, enumerable: false });
    return printer(masked, config, indentation, depth, refs);
  },
};
