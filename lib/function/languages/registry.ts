import type * as Go from './go';
import type * as Java from './java';
import { LanguageSupport } from './language';
import type * as Nodejs from './nodejs';
import type * as Python from './python';

/**
 * The languages a StageFunction can be written in: a closed set, one `LANGUAGES` entry each
 * (lib/function/languages/registry.ts).
 */
export enum StageLanguage {
  /** JavaScript or TypeScript, bundled with esbuild. */
  NODEJS = 'nodejs',
  /** Python sources plus requirements installed with pip. */
  PYTHON = 'python',
  /** A Maven project packaged with its dependencies. */
  JAVA = 'java',
  /** A Go main package built into an executable named `bootstrap`. */
  GO = 'go',
}

/**
 * Every language's {@link LanguageSupport}, one getter each, in the order the local install works through
 * them. The type holds each entry to its key: `LANGUAGES[StageLanguage.GO].language` is `'go'`.
 *
 * Each language's module loads when its entry is first read: a synth of Node.js functions does not load the
 * Python, Java and Go builders (four modules with the JDK's, about 2 ms of every `cdk synth`).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each language's module loaded on first use */
export const LANGUAGES = {
  get [StageLanguage.NODEJS]() {
    return (require('./nodejs') as typeof Nodejs).NODEJS;
  },
  get [StageLanguage.PYTHON]() {
    return (require('./python') as typeof Python).PYTHON;
  },
  get [StageLanguage.JAVA]() {
    return (require('./java') as typeof Java).JAVA;
  },
  get [StageLanguage.GO]() {
    return (require('./go') as typeof Go).GO;
  },
} as const satisfies { readonly [L in StageLanguage]: LanguageSupport<never> & { readonly language: `${L}` } };
/* eslint-enable @typescript-eslint/no-require-imports */

/** Every language's support, in registry order. */
export function allLanguages(): ReadonlyArray<LanguageSupport<never>> {
  return Object.values(LANGUAGES);
}
