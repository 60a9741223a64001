import { GO } from './go';
import { JAVA } from './java';
import { LanguageSupport } from './language';
import { NODEJS } from './nodejs';
import { PYTHON } from './python';

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
 * Every language's {@link LanguageSupport}, one line each, in the order the local install works through
 * them. The type holds each entry to its key: `LANGUAGES[StageLanguage.GO].language` is `'go'`.
 */
export const LANGUAGES = {
  [StageLanguage.NODEJS]: NODEJS,
  [StageLanguage.PYTHON]: PYTHON,
  [StageLanguage.JAVA]: JAVA,
  [StageLanguage.GO]: GO,
} as const satisfies { readonly [L in StageLanguage]: LanguageSupport<never> & { readonly language: `${L}` } };

/** Every language's support, in registry order. */
export function allLanguages(): ReadonlyArray<LanguageSupport<never>> {
  return Object.values(LANGUAGES);
}
