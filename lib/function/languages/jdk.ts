import * as fs from 'fs';
import * as path from 'path';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { StageBuildError } from '../../errors';
import { runTool } from '../../toolchain';

/** Folders of installed JDKs, each JDK in a subfolder: where the local cloud's Java runner also looks. */
export const JDK_FOLDERS: readonly string[] = ['/usr/lib/jvm'];

/** The Java runtimes of Lambda, newest first, to suggest one a JDK found can run. */
const JAVA_RUNTIMES = [Runtime.JAVA_25, Runtime.JAVA_21, Runtime.JAVA_17, Runtime.JAVA_11];

/** An installed JDK. */
export interface Jdk {
  /** The feature release: 17 for 17.0.15, 8 for 1.8.0_392. */
  readonly major: number;
  /** The version as the JDK reports it, e.g. `17.0.15`. */
  readonly version: string;
  /** The JDK's home folder, when known. */
  readonly home?: string;
}

interface InstalledJdk extends Jdk {
  readonly home: string;
}

/** Options of {@link mavenJdkEnvironment}. */
export interface MavenJdkOptions {
  /** The Maven executable. */
  readonly mvn: string;
  /** Where Maven runs. */
  readonly cwd: string;
  /** What is built, for messages, e.g. `the Java code in /app/functions/aggregate`. */
  readonly what: string;
  /** What to install when Maven is missing. */
  readonly install: string;
  /**
   * The construct path of the function or library, for messages.
   * @default - not named
   */
  readonly owner?: string;
  /**
   * Folders holding JDKs, searched when Maven's own JDK is too old.
   * @default JDK_FOLDERS
   */
  readonly jdkFolders?: readonly string[];
}

/** The JDK feature release a Java runtime needs: 21 for `java21`, 8 for `java8.al2`. */
export function jdkMajorOf(runtime: Runtime): number {
  const match = /^java(\d+)/.exec(runtime.name);
  if (!match) {
    throw new StageBuildError(`${runtime.name} is not a Java runtime`);
  }
  return Number(match[1]);
}

/**
 * The variables Maven needs to build for `runtime` on a JDK that runs it: none when Maven's own JDK
 * (`mvn -version`, so `JAVA_HOME` or the `java` on `PATH`) is new enough, else `JAVA_HOME` set to the
 * oldest new enough JDK of `STAGEGRAPH_JAVA_HOME`, `JAVA_HOME` and the JDK folders, which is also the
 * JDK the local cloud runs the function on.
 * @throws StageBuildError naming the runtime, the JDK found and what to do, when no JDK is new enough
 */
export function mavenJdkEnvironment(runtime: Runtime, options: MavenJdkOptions): Record<string, string> {
  const required = jdkMajorOf(runtime);
  const maven = mavenJdk(options);
  if (maven === undefined || maven.major >= required) {
    // A Maven whose JDK cannot be told is left to run as it is: it reports its own errors.
    return {};
  }
  const installed = installedJdks(options.jdkFolders).filter(jdk => jdk.major >= required);
  if (installed.length > 0) {
    return { JAVA_HOME: installed[0].home };
  }
  const older = JAVA_RUNTIMES.find(candidate => jdkMajorOf(candidate) <= maven.major);
  const folders = ['STAGEGRAPH_JAVA_HOME', 'JAVA_HOME', ...(options.jdkFolders ?? JDK_FOLDERS)].join(', ');
  throw new StageBuildError(
    `Cannot build ${options.what} for runtime ${runtime.name}${options.owner ? ` in ${options.owner}` : ''}: ` +
      `it needs a JDK ${required} or later, but Maven runs on JDK ${maven.version}${maven.home ? ` (${maven.home})` : ''} ` +
      `and there is no JDK ${required} or later in ${folders}. Install a JDK ${required} or later and set JAVA_HOME ` +
      '(or STAGEGRAPH_JAVA_HOME) to its folder, or point STAGEGRAPH_MVN at a Maven that runs on one' +
      (older
        ? `, or choose runtime: Runtime.JAVA_${jdkMajorOf(older)} for code that runs on JDK ${jdkMajorOf(older)}.`
        : '.'),
  );
}

/**
 * The JDKs of `STAGEGRAPH_JAVA_HOME`, `JAVA_HOME` and the JDK folders, oldest first: where the builds and the
 * local cloud's Java runner look.
 */
export function installedJdks(folders: readonly string[] = JDK_FOLDERS): Array<Jdk & { readonly home: string }> {
  return [process.env.STAGEGRAPH_JAVA_HOME, process.env.JAVA_HOME, ...jdkHomesIn(folders)]
    .filter((home): home is string => home !== undefined && home.length > 0)
    .map(jdkAt)
    .filter((jdk): jdk is InstalledJdk => jdk !== undefined)
    .sort((a, b) => a.major - b.major);
}

/** The JDK a Maven runs on, as `mvn -version` reports it, asked once per Maven, JAVA_HOME and PATH. */
function mavenJdk(options: MavenJdkOptions): Jdk | undefined {
  const key = [options.mvn, process.env.JAVA_HOME, process.env.PATH].join('\0');
  if (!MAVEN_JDKS.has(key)) {
    const output = runTool(options.mvn, ['--batch-mode', '-version'], {
      cwd: options.cwd,
      what: options.what,
      install: options.install,
    });
    MAVEN_JDKS.set(key, parseMavenVersion(output));
  }
  return MAVEN_JDKS.get(key);
}

const MAVEN_JDKS = new Map<string, Jdk | undefined>();

/**
 * The JDK in the output of `mvn -version`: `Java version: 17.0.15, vendor: Debian, runtime:
 * /usr/lib/jvm/java-17-openjdk-amd64`.
 */
export function parseMavenVersion(output: string): Jdk | undefined {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
  const match = /^Java version: ([^,\s]+)(?:.*?, runtime: (.+))?$/m.exec(plain);
  if (!match) {
    return undefined;
  }
  const major = majorOf(match[1]);
  return major === undefined ? undefined : { major, version: match[1], home: match[2]?.trim() };
}

/** The JDK at a home folder, from its `release` file, if it has a `bin/java`. */
function jdkAt(home: string): InstalledJdk | undefined {
  const release = path.join(home, 'release');
  if (!fs.existsSync(path.join(home, 'bin', 'java')) || !fs.existsSync(release)) {
    return undefined;
  }
  const version = /^JAVA_VERSION="?([^"\s]+)"?/m.exec(fs.readFileSync(release, 'utf-8'))?.[1];
  const major = version === undefined ? undefined : majorOf(version);
  return version === undefined || major === undefined ? undefined : { major, version, home };
}

function jdkHomesIn(folders: readonly string[]): string[] {
  return folders
    .filter(folder => fs.existsSync(folder))
    .flatMap(folder =>
      fs
        .readdirSync(folder)
        .sort()
        .map(name => path.join(folder, name)),
    );
}

function majorOf(version: string): number | undefined {
  const match = /^(\d+)(?:\.(\d+))?/.exec(version);
  if (!match) {
    return undefined;
  }
  return match[1] === '1' && match[2] !== undefined ? Number(match[2]) : Number(match[1]);
}
