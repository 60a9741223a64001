import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { allLanguages, LANGUAGES } from '../../../../lib/function/languages/registry';
import { StageLanguage } from '../../../../lib';

describe('the language registry', () => {
  test('holds one support per StageLanguage, under its own id', () => {
    expect(allLanguages().map(l => l.language)).toEqual(Object.values(StageLanguage));
  });

  test.each([
    [StageLanguage.NODEJS, 'nodejs', false],
    [StageLanguage.PYTHON, 'python', true],
    [StageLanguage.JAVA, 'java', false],
    [StageLanguage.GO, 'bin', true],
  ])('%s libraries load from /opt/%s; native code: %s', (language, folder, native) => {
    expect(LANGUAGES[language].libraryFolder).toBe(folder);
    expect(LANGUAGES[language].nativeCode).toBe(native);
  });

  test('Go runs on the provided runtimes only, not on other runtimes of the OTHER family', () => {
    expect(LANGUAGES[StageLanguage.GO].canRun(Runtime.PROVIDED_AL2023)).toBe(true);
    expect(LANGUAGES[StageLanguage.GO].canRun(Runtime.FROM_IMAGE)).toBe(false);
    expect(LANGUAGES[StageLanguage.GO].canRun(Runtime.PYTHON_3_12)).toBe(false);
  });

  test('the local install fetches the runtime clients of Python (one per Python of the machine) and Java', () => {
    const context = {
      runtimeSupport: '/support',
      extensionDir: '/ext',
      pythons: [{ version: '3.12', executable: '/py312' }],
    };

    const clients = allLanguages().flatMap(l => l.local?.runtimeClients(context) ?? []);

    expect(clients.map(c => c.step)).toEqual([
      'Installing the Python 3.12 runtime interface client, boto3 and debugpy',
      'Installing the Java runtime interface client',
    ]);
    expect(clients[0].args).toContain('/support/python3.12');
    expect(clients[1].args).toContain('-DoutputDirectory=/support/java');
  });
});
