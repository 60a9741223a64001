import * as fs from 'fs';
import { installedJdks } from '../function/languages/jdk';
import { findPython } from './python-finder';
import { NODE_RUNTIME_VERSIONS, nodeMajorOf, nodeRuntimeBinary } from './node-runtimes';

/** A function of an app as the runtime check reads it. */
export interface FunctionRuntime {
  /** `Stack/Id` */
  readonly id: string;
  /** The Lambda runtime it declares, e.g. `nodejs22.x`. */
  readonly runtime: string;
}

/** A function the local cloud cannot run on the runtime version it declares, and why. */
export interface RuntimeProblem {
  /** `Stack/Id` */
  readonly function: string;
  readonly runtime: string;
  /** What is missing and what to do. */
  readonly message: string;
}

/**
 * The functions of an app that cannot run locally on exactly the runtime version they declare (the local
 * cloud never runs one on another version): a Node.js major without a build, a Python or a JDK the machine
 * lacks. Checked at deploy; the executor refuses such a function at invoke with the same reason.
 */
export function localRuntimeProblems(projectDir: string, functions: readonly FunctionRuntime[]): RuntimeProblem[] {
  const problems: RuntimeProblem[] = [];
  for (const fn of functions) {
    const message = runtimeProblem(projectDir, fn.runtime);
    if (message) problems.push({ function: fn.id, runtime: fn.runtime, message });
  }
  return problems;
}

function runtimeProblem(projectDir: string, runtime: string): string | undefined {
  const node = nodeMajorOf(runtime);
  if (node !== undefined) {
    if (process.env.STAGEGRAPH_NODE || fs.existsSync(nodeRuntimeBinary(projectDir, node))) return undefined;
    return NODE_RUNTIME_VERSIONS[node] === undefined
      ? `${runtime} cannot run locally: stagegraph runs Node.js ${Object.keys(NODE_RUNTIME_VERSIONS).join(', ')} (nodejs<major>.x); choose one of those runtimes, or set STAGEGRAPH_NODE to a Node.js ${node}`
      : `Node.js ${node} is not installed: \`stagegraph local deploy\` fetches it`;
  }
  const python = /^python(\d+\.\d+)$/.exec(runtime)?.[1];
  if (python !== undefined) {
    return findPython(python) || process.env[`STAGEGRAPH_PYTHON_${python.replace('.', '_')}`]
      ? undefined
      : `${runtime} needs Python ${python}, which is not on PATH or in pyenv: install it (then \`stagegraph local install\`), or set STAGEGRAPH_PYTHON_${python.replace('.', '_')}`;
  }
  const java = /^java(\d+)/.exec(runtime)?.[1];
  if (java !== undefined) {
    if (process.env.STAGEGRAPH_JAVA_HOME) return undefined; // the user's explicit choice
    const jdks = installedJdks();
    if (jdks.some(jdk => jdk.major === Number(java))) return undefined;
    const found = jdks.map(jdk => `${jdk.major} (${jdk.home})`).join(', ') || 'none';
    return (
      `${runtime} needs a JDK ${java}, and the machine has ${found} in JAVA_HOME and /usr/lib/jvm: install a JDK ${java}, ` +
      `choose the runtime of a JDK you have, or set STAGEGRAPH_JAVA_HOME to run it on another JDK knowingly`
    );
  }
  return undefined;
}
