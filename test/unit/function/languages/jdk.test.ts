import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { BuildTarget } from '../../../../lib/function/languages/builder';
import { JavaBuilder } from '../../../../lib/function/languages/java';
import { jdkMajorOf, mavenJdkEnvironment, parseMavenVersion } from '../../../../lib/function/languages/jdk';
import { FIXTURES } from '../../../helpers';

// Fake Maven and JDKs: no real build runs in unit tests.
describe('the JDK of Java builds', () => {
  const savedEnv = { ...process.env };
  let scratch: string;
  let jdks: string;
  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-jdk-'));
    jdks = path.join(scratch, 'jvm');
    fs.mkdirSync(jdks);
    delete process.env.JAVA_HOME;
    delete process.env.STAGEGRAPH_JAVA_HOME;
  });
  afterEach(() => {
    process.env = { ...savedEnv };
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  /** A Maven that only answers `-version`, on a JDK of `version`, and counts how often it was asked. */
  function fakeMaven(version: string): string {
    const mvn = path.join(scratch, `mvn-${version}`);
    fs.writeFileSync(
      mvn,
      [
        '#!/bin/sh',
        `echo asked >> "${mvn}.calls"`,
        'echo "Apache Maven 3.9.9 (fake)"',
        `echo "Java version: ${version}, vendor: Test, runtime: /opt/fake/jdk-${version}"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    return mvn;
  }

  /** A JDK home with bin/java and a release file. */
  function fakeJdk(name: string, version: string, parent = jdks): string {
    const home = path.join(parent, name);
    fs.mkdirSync(path.join(home, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(home, 'bin', 'java'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(home, 'release'), `IMPLEMENTOR="Test"\nJAVA_VERSION="${version}"\n`);
    return home;
  }

  const options = (mvn: string) => ({
    mvn,
    cwd: scratch,
    what: 'the Java code in /app/functions/aggregate',
    install: 'Maven',
    owner: 'Stack/Aggregate',
    jdkFolders: [jdks],
  });

  test('fails if Maven runs on JDK 17 and the runtime is java21, naming the runtime, the JDK found, the construct path and what to do', () => {
    // GIVEN a Maven on JDK 17 and no other JDK
    const mvn = fakeMaven('17.0.2');

    // WHEN a java21 function is built THEN
    expect(() => mavenJdkEnvironment(Runtime.JAVA_21, options(mvn))).toThrow(
      'Cannot build the Java code in /app/functions/aggregate for runtime java21 in Stack/Aggregate: it needs a JDK 21 or later, ' +
        `but Maven runs on JDK 17.0.2 (/opt/fake/jdk-17.0.2) and there is no JDK 21 or later in STAGEGRAPH_JAVA_HOME, JAVA_HOME, ${jdks}. ` +
        'Install a JDK 21 or later and set JAVA_HOME (or STAGEGRAPH_JAVA_HOME) to its folder, or point STAGEGRAPH_MVN at a Maven that runs on one, ' +
        'or choose runtime: Runtime.JAVA_17 for code that runs on JDK 17.',
    );
  });

  test('fails if the JDK in JAVA_HOME is too old too', () => {
    process.env.JAVA_HOME = fakeJdk('jdk-17', '17.0.2', scratch);

    expect(() => mavenJdkEnvironment(Runtime.JAVA_25, options(fakeMaven('21.0.4')))).toThrow(
      /it needs a JDK 25 or later, but Maven runs on JDK 21\.0\.4 .* or choose runtime: Runtime\.JAVA_21/,
    );
  });

  test('a runtime the JDK of Maven runs changes nothing, and Maven is asked once', () => {
    const mvn = fakeMaven('17.0.9');

    expect(mavenJdkEnvironment(Runtime.JAVA_17, options(mvn))).toEqual({});
    expect(mavenJdkEnvironment(Runtime.JAVA_11, options(mvn))).toEqual({});
    expect(fs.readFileSync(`${mvn}.calls`, 'utf-8').trim().split('\n')).toHaveLength(1);
  });

  test("a newer installed JDK builds when Maven's own is too old: the oldest that runs the runtime, as the local cloud picks it", () => {
    fakeJdk('temurin-25', '25.0.1');
    const jdk21 = fakeJdk('temurin-21', '21.0.4');
    fakeJdk('openjdk-17', '17.0.2');

    expect(mavenJdkEnvironment(Runtime.JAVA_21, options(fakeMaven('17.0.3')))).toEqual({ JAVA_HOME: jdk21 });
  });

  test('STAGEGRAPH_JAVA_HOME counts as an installed JDK', () => {
    process.env.STAGEGRAPH_JAVA_HOME = fakeJdk('my-jdk', '21', scratch);

    expect(mavenJdkEnvironment(Runtime.JAVA_21, options(fakeMaven('17.0.4')))).toEqual({
      JAVA_HOME: process.env.STAGEGRAPH_JAVA_HOME,
    });
  });

  test('fails if a java21 function is built with Maven on JDK 17 (STAGEGRAPH_MVN)', () => {
    // GIVEN the override variable points at a Maven on JDK 17
    process.env.STAGEGRAPH_MVN = fakeMaven('17.0.5');
    const builder = new JavaBuilder(path.join(FIXTURES, 'hello-java'), [jdks]);

    // WHEN it builds THEN the build stops before Maven packages anything
    expect(() =>
      builder.build(path.join(scratch, 'out'), {
        architecture: Architecture.X86_64,
        runtime: Runtime.JAVA_21,
        target: BuildTarget.FUNCTION,
        owner: 'Stack/Hello',
      }),
    ).toThrow(
      /^Cannot build the Java code in .*hello-java for runtime java21 in Stack\/Hello: it needs a JDK 21 or later, but Maven runs on JDK 17\.0\.5/,
    );
    expect(fs.existsSync(path.join(scratch, 'out'))).toBe(false);
  });

  test('reads the JDK from mvn -version, colored or not, old version numbers included', () => {
    expect(
      parseMavenVersion(
        '\u001b[1mApache Maven 3.8.7\u001b[m\nMaven home: /usr/share/maven\nJava version: 17.0.15, vendor: Debian, runtime: /usr/lib/jvm/java-17-openjdk-amd64\n',
      ),
    ).toEqual({ major: 17, version: '17.0.15', home: '/usr/lib/jvm/java-17-openjdk-amd64' });
    expect(parseMavenVersion('Java version: 1.8.0_392, vendor: Temurin, runtime: /opt/jdk8/jre')).toMatchObject({
      major: 8,
    });
    expect(parseMavenVersion('Apache Maven 3.9.9')).toBeUndefined();
  });

  test('the JDK a runtime needs is the number in its name', () => {
    expect([Runtime.JAVA_8_CORRETTO, Runtime.JAVA_17, Runtime.JAVA_21, Runtime.JAVA_25].map(jdkMajorOf)).toEqual([
      8, 17, 21, 25,
    ]);
    expect(() => jdkMajorOf(Runtime.PYTHON_3_12)).toThrow('python3.12 is not a Java runtime');
  });
});
