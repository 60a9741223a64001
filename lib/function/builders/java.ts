import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StageBuildError } from '../../errors';
import { BuildSettings, BuildTarget, LanguageBuilder, StageLanguage } from './builder';
import { JDK_FOLDERS, mavenJdkEnvironment } from './jdk';
import { runTool, toolPath } from './toolchain';

/** The maven-dependency-plugin used to collect runtime dependencies: pinned, so builds repeat. */
export const MAVEN_DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

const IGNORED = ['target', '.idea', '.settings', '.classpath', '.project', 'cdk.out', '.stagegraph'];

/**
 * Packages a Maven project without Docker: `mvn package` on a copy of the sources, then the
 * project's jar and its runtime dependencies under `lib/`, the layout the Lambda Java runtimes
 * put on the class path (a library uses `java/lib/`).
 *
 * Maven runs on a JDK at least as new as the runtime (JDK 21 for `java21`): its own when it is, else one
 * found as the local cloud finds one to run the function (see {@link mavenJdkEnvironment}).
 */
export class JavaBuilder implements LanguageBuilder {
  public readonly language = StageLanguage.JAVA;
  public readonly sourceDir: string;
  public readonly exclude = IGNORED;

  /**
   * @param dir the folder of `pom.xml`
   * @param jdkFolders folders of installed JDKs, searched when Maven's own JDK is too old
   */
  constructor(dir: string, private readonly jdkFolders: readonly string[] = JDK_FOLDERS) {
    this.sourceDir = path.resolve(dir);
    if (!fs.existsSync(path.join(this.sourceDir, 'pom.xml'))) {
      throw new StageBuildError(`Java code must be a Maven project: no pom.xml in ${this.sourceDir}`);
    }
  }

  public describe(settings: BuildSettings) {
    return { language: this.language, target: settings.target, dependencyPlugin: MAVEN_DEPENDENCY_PLUGIN };
  }

  public build(outputDir: string, settings: BuildSettings): void {
    const libDir = settings.target === BuildTarget.LIBRARY ? path.join(outputDir, 'java', 'lib') : path.join(outputDir, 'lib');
    const mvn = toolPath('STAGEGRAPH_MVN', 'mvn');
    const tool = { what: `the Java code in ${this.sourceDir}`, install: 'a JDK (17 or later) and Apache Maven' };
    const env = mavenJdkEnvironment(settings.runtime, { ...tool, mvn, cwd: this.sourceDir, owner: settings.owner, jdkFolders: this.jdkFolders });
    // Build on a copy so that the user's folder never gets a target/ from us.
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-java-'));
    try {
      fs.cpSync(this.sourceDir, work, {
        recursive: true,
        filter: source => !IGNORED.includes(path.relative(this.sourceDir, source).split(path.sep)[0]),
      });
      runTool(mvn, [
        '--batch-mode', '--quiet', '-DskipTests',
        'package',
        `${MAVEN_DEPENDENCY_PLUGIN}:copy-dependencies`,
        '-DincludeScope=runtime',
        `-DoutputDirectory=${libDir}`,
      ], { ...tool, cwd: work, env });
      const jars = fs.readdirSync(path.join(work, 'target'))
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
