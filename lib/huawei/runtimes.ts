// Lambda runtimes and the FunctionGraph runtimes that run the same language version, as the provider documents them
// (provider-schema.json: huaweicloud_fgs_function.runtime and huaweicloud_fgs_dependency_version.runtime). A runtime
// with no equivalent of the same version is refused: code built for Node.js 22 or Java 17 is not moved to an older
// runtime behind the user's back.

/** Lambda runtime -> FunctionGraph runtime of a function. */
export const FUNCTION_RUNTIMES: Readonly<Record<string, string>> = {
  java8: 'Java8',
  'java8.al2': 'Java8',
  java11: 'Java11',
  'nodejs16.x': 'Node.js16.17',
  'nodejs18.x': 'Node.js18.15',
  'python3.9': 'Python3.9',
  'python3.10': 'Python3.10',
  // Go on Lambda runs as a custom runtime (`bootstrap`); FunctionGraph has a Go runtime of its own.
  'provided.al2023': 'Go1.x',
  'provided.al2': 'Go1.x',
  'go1.x': 'Go1.x',
};

/** Lambda runtime -> FunctionGraph runtime of a dependency package (a shorter list than functions'). */
export const LIBRARY_RUNTIMES: Readonly<Record<string, string>> = {
  java8: 'Java8',
  'java8.al2': 'Java8',
  java11: 'Java11',
  'python3.9': 'Python3.9',
  'provided.al2023': 'Go1.x',
  'provided.al2': 'Go1.x',
};

/** The Lambda runtimes that map, for messages. */
export function mappedRuntimes(table: Readonly<Record<string, string>>): string {
  return Object.keys(table).join(', ');
}
