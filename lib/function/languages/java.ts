import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Runtime, RuntimeFamily } from 'aws-cdk-lib/aws-lambda';
import { StageBuildError } from '../../errors';
import { runTool, toolPath } from '../../toolchain';
import { BuildSettings, BuildTarget, SourceBuilder, sourceFolder } from './builder';
import { JDK_FOLDERS, mavenJdkEnvironment } from './jdk';
import { LanguageSupport } from './language';
import { STATE_FOLDER } from '../../state-folder';

/** The maven-dependency-plugin used to collect runtime dependencies: pinned, so builds repeat. */
export const MAVEN_DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

/** A library (layer) puts its jars under `/opt/java/lib`. */
const LIBRARY_FOLDER = 'java';

// Maven's build folder and the outputs are at the project's top only: a package named `target` is source.
const IGNORED = ['/target', '.idea', '.settings', '.classpath', '.project', 'cdk.out', STATE_FOLDER];
const IGNORED_AT_TOP = IGNORED.map(pattern => pattern.replace(/^\//, ''));

/**
 * Packages a Maven project without Docker: `mvn package` on a copy of the sources, then the
 * project's jar and its runtime dependencies under `lib/`, the layout the Lambda Java runtimes
 * put on the class path (a library uses `java/lib/`).
 *
 * Maven runs on a JDK at least as new as the runtime (JDK 21 for `java21`): its own when it is, else one
 * found as the local cloud finds one to run the function (see {@link mavenJdkEnvironment}).
 */
export class JavaBuilder extends SourceBuilder {
  /**
   * @param dir the folder of `pom.xml`
   * @param jdkFolders folders of installed JDKs, searched when Maven's own JDK is too old
   */
  constructor(
    dir: string,
    private readonly jdkFolders: readonly string[] = JDK_FOLDERS,
  ) {
    super(
      'java',
      sourceFolder(dir, 'pom.xml', resolved => `Java code must be a Maven project: no pom.xml in ${resolved}`),
      IGNORED,
    );
  }

  protected describeOutput() {
    return { dependencyPlugin: MAVEN_DEPENDENCY_PLUGIN };
  }

  public build(outputDir: string, settings: BuildSettings): void {
    const libDir =
      settings.target === BuildTarget.LIBRARY
        ? path.join(outputDir, LIBRARY_FOLDER, 'lib')
        : path.join(outputDir, 'lib');
    const mvn = toolPath('STAGEGRAPH_MVN', 'mvn');
    const tool = { what: `the Java code in ${this.sourceDir}`, install: 'a JDK (17 or later) and Apache Maven' };
    const env = mavenJdkEnvironment(settings.runtime, {
      ...tool,
      mvn,
      cwd: this.sourceDir,
      owner: settings.owner,
      jdkFolders: this.jdkFolders,
    });
    // Build on a copy so that the user's folder never gets a target/ from us.
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-java-'));
    try {
      fs.cpSync(this.sourceDir, work, {
        recursive: true,
        filter: source => !IGNORED_AT_TOP.includes(path.relative(this.sourceDir, source).split(path.sep)[0]),
      });
      runTool(
        mvn,
        [
          '--batch-mode',
          '--quiet',
          '-DskipTests',
          'package',
          `${MAVEN_DEPENDENCY_PLUGIN}:copy-dependencies`,
          '-DincludeScope=runtime',
          `-DoutputDirectory=${libDir}`,
        ],
        { ...tool, cwd: work, env },
      );
      const jars = fs
        .readdirSync(path.join(work, 'target'))
        .filter(name => name.endsWith('.jar') && !/-(sources|javadoc|tests)\.jar$/.test(name));
      if (jars.length !== 1) {
        throw new StageBuildError(
          `Building the Java code in ${this.sourceDir}: expected one jar in target/, found ${jars.length} (${jars.join(', ') || 'none'})`,
        );
      }
      fs.mkdirSync(libDir, { recursive: true });
      fs.copyFileSync(path.join(work, 'target', jars[0]), path.join(libDir, jars[0]));
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
}

/** Options of {@link StageCode.fromJava}. */
export interface JavaCodeOptions {
  /** The handler: `package.Class` or `package.Class::method`. */
  readonly handler: string;
  /**
   * A Java runtime.
   * @default Runtime.JAVA_21
   */
  readonly runtime?: Runtime;
}

/**
 * Java: a Maven project, run locally by the official runtime interface client, which the local install
 * fetches from Maven Central with the extension's `java-runtime/pom.xml`.
 */
export const JAVA: LanguageSupport<JavaCodeOptions, 'java'> = {
  language: 'java',
  defaultRuntime: Runtime.JAVA_21,
  canRun: runtime => runtime.family === RuntimeFamily.JAVA,
  nativeCode: false,
  libraryFolder: LIBRARY_FOLDER,
  builder: dir => new JavaBuilder(dir),
  entry: options => ({ handler: options.handler, runtime: options.runtime }),
  local: {
    runtimeClients: context => [
      {
        step: 'Installing the Java runtime interface client',
        command: toolPath('STAGEGRAPH_MVN', 'mvn'),
        args: [
          '--batch-mode',
          '--quiet',
          '-f',
          path.join(context.extensionDir, 'java-runtime', 'pom.xml'),
          `${MAVEN_DEPENDENCY_PLUGIN}:copy-dependencies`,
          `-DoutputDirectory=${path.join(context.runtimeSupport, 'java')}`,
        ],
        what: 'the Java runtime interface client',
        install: 'a JDK and Apache Maven',
      },
    ],
  },
};
