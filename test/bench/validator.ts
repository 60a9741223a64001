// CDK's CloudFormation validation (`@aws/cloudformation-validate`, bundled in aws-cdk-lib and on by default in
// `cdk synth`), timed on its own, outside any synth:
// - one bucket's notification list of N entries, in a warm engine: the validator copies a resource's whole properties
//   for almost every node it checks, so one resource costs about (its checked nodes) x (all its nodes);
// - the scaling app's templates, stagegraph's and plain aws-cdk-lib's, in the first validation of a cold engine (as a
//   synth runs it: one engine per process), and the 200-function parent template without its notification list.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { prepare, synthInto } from './synth';
import { Spread, spread, table } from './stats';

/** The engine's module, as aws-cdk-lib loads it. */
const ENGINE = require.resolve('@aws/cloudformation-validate', {
  paths: [path.dirname(require.resolve('aws-cdk-lib/package.json'))],
});
/** The options CDK's validation plugin gives it. */
const OPTIONS = { detailLevel: 'STANDARD', severityLevel: 'WARN' };

interface Engine {
  validateTemplate(content: unknown, options: typeof OPTIONS): unknown;
}
interface EngineModule {
  CompositeEngine: new (options: object) => Engine;
  TemplateContent: new (text: string, name: string) => unknown;
}

export interface ListResult {
  readonly entries: number;
  /** Each entry: the event and the function's ARN. */
  readonly withoutFilterMs: number;
  /** Each entry also with a prefix filter, as an ObsTrigger with a prefix writes it. */
  readonly withFilterMs: number;
}

export interface TemplateResult {
  readonly template: string;
  /** The plain aws-cdk-lib template it is compared with, if any. */
  readonly baseline?: string;
  readonly resources: number;
  readonly firstValidationMs: Spread;
}

export interface ValidatorResult {
  readonly lists: ListResult[];
  readonly templates: TemplateResult[];
}

/** A template of one bucket whose notification list has `entries` entries. */
function bucketTemplate(entries: number, filter: boolean): string {
  const configurations = Array.from({ length: entries }, (_, i) => ({
    Event: 's3:ObjectCreated:*',
    Function: `arn:aws:lambda:us-east-1:111111111111:function:Bench-Fn${i}-0A1B2C3D`,
    ...(filter ? { Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: `fn${i}/` }] } } } : {}),
  }));
  return JSON.stringify({
    Resources: {
      Uploads: {
        Type: 'AWS::S3::Bucket',
        Properties: { NotificationConfiguration: { LambdaConfigurations: configurations } },
      },
    },
  });
}

/** The fastest of 6 validations in one engine, after 2 that warm it. */
function warmMs(engine: Engine, module: EngineModule, text: string): number {
  const times: number[] = [];
  for (let i = 0; i < 8; i++) {
    const started = process.hrtime.bigint();
    engine.validateTemplate(new module.TemplateContent(text, 'template.json'), OPTIONS);
    if (i >= 2) times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return Math.min(...times);
}

/** The first validation of a template in a new engine, in a process of its own (the engine's creation not counted). */
function coldMs(file: string): number {
  const script = `
    const cv = require(${JSON.stringify(ENGINE)});
    const text = require('fs').readFileSync(${JSON.stringify(file)}, 'utf-8');
    const engine = new cv.CompositeEngine({});
    const started = process.hrtime.bigint();
    engine.validateTemplate(new cv.TemplateContent(text, 'template.json'), ${JSON.stringify(OPTIONS)});
    console.log(Number(process.hrtime.bigint() - started) / 1e6);`;
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf-8' }).trim());
}

export function benchValidator(repeats: number): ValidatorResult {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(ENGINE) as EngineModule;
  const engine = new module.CompositeEngine({});
  // The bucket's schema and the engine's code warmed first: otherwise the first size measured pays for them.
  warmMs(engine, module, bucketTemplate(200, true));
  const lists = [25, 50, 100, 200].map(entries => ({
    entries,
    withoutFilterMs: warmMs(engine, module, bucketTemplate(entries, false)),
    withFilterMs: warmMs(engine, module, bucketTemplate(entries, true)),
  }));

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagegraph-bench-validator-'));
  try {
    prepare(workDir, 200);
    const kept: Array<{ name: string; file: string; resources: number; baseline?: string }> = [];
    // The parent template of an app synthesized with validation off (the validation is what is timed here).
    const synthesized = (variant: string, count: number): { Resources: Record<string, unknown> } => {
      const outdir = path.join(workDir, `out-${variant}-${count}`);
      fs.mkdirSync(outdir);
      const run = synthInto(outdir, variant, count, workDir, false);
      if (run.error) throw new Error(`${variant}, ${count} functions: ${run.error}`);
      return JSON.parse(fs.readFileSync(path.join(outdir, 'Bench.template.json'), 'utf-8'));
    };
    const keep = (name: string, template: { Resources: object }, baseline?: string) => {
      const file = path.join(workDir, `${name.replace(/\W+/g, '-')}.json`);
      fs.writeFileSync(file, JSON.stringify(template));
      kept.push({ name, file, resources: Object.keys(template.Resources).length, baseline });
    };
    const plain50 = 'plain-triggers, 50 functions';
    const plain200 = 'plain-nested, 200 functions: parent';
    keep(plain50, synthesized('plain-triggers', 50));
    keep('stagegraph-triggers, 50 functions', synthesized('stagegraph-triggers', 50), plain50);
    keep(plain200, synthesized('plain-nested', 200));
    const parent = synthesized('stagegraph-nested', 200);
    keep('stagegraph-nested, 200 functions: parent', parent, plain200);
    const withoutList = structuredClone(parent);
    for (const resource of Object.values(withoutList.Resources) as Array<{
      Type: string;
      Properties?: { NotificationConfiguration?: { LambdaConfigurations?: unknown } };
    }>) {
      if (resource.Type === 'AWS::S3::Bucket')
        delete resource.Properties?.NotificationConfiguration?.LambdaConfigurations;
    }
    keep('stagegraph-nested, 200 functions: parent without the notification list', withoutList, plain200);

    const samples = kept.map((): number[] => []);
    for (let r = 0; r < repeats; r++) {
      kept.forEach(({ file }, i) => samples[i].push(coldMs(file)));
    }
    const templates = kept.map(({ name, resources, baseline }, i) => ({
      template: name,
      ...(baseline ? { baseline } : {}),
      resources,
      firstValidationMs: spread(samples[i]),
    }));
    return { lists, templates };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

export function formatValidator(result: ValidatorResult): string {
  const base = result.lists[0];
  const lists = table(
    ['entries', 'ms without filters', 'ms with a prefix filter each', 'with filters, vs 25 entries'],
    result.lists.map(l => [
      String(l.entries),
      l.withoutFilterMs.toFixed(1),
      l.withFilterMs.toFixed(1),
      `${(l.withFilterMs / base.withFilterMs).toFixed(1)}x (entries ${l.entries / base.entries}x)`,
    ]),
  );
  const templates = table(
    ['template', 'resources', 'first validation ms (median)', 'min..max', 'vs plain'],
    result.templates.map(t => {
      const plain = result.templates.find(b => b.template === t.baseline);
      return [
        t.template,
        String(t.resources),
        t.firstValidationMs.median.toFixed(0),
        `${t.firstValidationMs.min.toFixed(0)}..${t.firstValidationMs.max.toFixed(0)}`,
        plain ? `${(t.firstValidationMs.median / plain.firstValidationMs.median).toFixed(2)}x` : '',
      ];
    }),
  );
  return `${lists}\n\n${templates}`;
}
