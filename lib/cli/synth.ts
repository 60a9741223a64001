import * as path from 'path';
import { Command, Option } from 'commander';
import { synthesizeHuawei } from '../app/huawei';
import { synthesizeApp } from '../app/synth';
import { step } from '../terminal/progress';
import { formatSummary } from './assembly-summary';

interface SynthOptions {
  json?: boolean;
  out: string;
  target: 'aws' | 'huawei';
  kafkaInstance?: string;
  apigInstance?: string;
  exclude?: string[];
}

/** `stagegraph synth`: synthesize the app and print what it holds; `--target huawei` renders it for Huawei too. */
export function synthCommand(): Command {
  return new Command('synth')
    .description('synthesize the app in cdk.json (building function code without Docker) and print its functions')
    .option('--json', 'print the summary as JSON')
    .option('--out <dir>', 'the cloud assembly folder', 'cdk.out')
    .addOption(
      new Option('--target <target>', 'also write Terraform JSON and FunctionGraph workflows for Huawei Cloud')
        .choices(['aws', 'huawei'])
        .default('aws'),
    )
    .option('--kafka-instance <id>', 'huawei: the DMS for Kafka instance whose topics DMS triggers read')
    .option('--apig-instance <id>', 'huawei: the dedicated API Gateway instance of HTTP triggers')
    .option('--exclude <path...>', 'huawei: construct paths to leave out on purpose (listed in the output)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ stagegraph synth\n  $ stagegraph synth --json > summary.json\n' +
        '  $ stagegraph synth --target huawei --kafka-instance 5f3c... --apig-instance 8a1b... --exclude MyStack/Flow',
    )
    .action(async (opts: SynthOptions) => {
      if (opts.target === 'huawei') {
        const output = await step('Synthesizing the app for Huawei Cloud', () =>
          synthesizeHuawei({
            projectDir: process.cwd(),
            outdir: opts.out,
            kafkaInstanceId: opts.kafkaInstance,
            apigInstanceId: opts.apigInstance,
            exclude: opts.exclude,
          }),
        );
        const resources = Object.values(output.rendering.config.resource ?? {}).reduce(
          (sum, byName) => sum + Object.keys(byName).length,
          0,
        );
        const relative = (file: string) => path.relative(process.cwd(), file);
        console.log(
          [
            `Terraform: ${relative(output.terraformFile)} (${resources} resources)`,
            ...output.workflowFiles.map(file => `Workflow: ${relative(file)}`),
            `Code packages: ${output.codeFiles.length}`,
            ...(output.rendering.notRendered.length > 0
              ? ['', 'Not rendered:', ...output.rendering.notRendered.map(n => `  ${n.path} (${n.type}): ${n.reason}`)]
              : []),
            '',
            'Nothing is deployed: run `terraform apply` there, then create the workflows (README, "Huawei Cloud target").',
          ].join('\n'),
        );
        return;
      }
      const summary = await step('Synthesizing the app', () =>
        synthesizeApp({ projectDir: process.cwd(), outdir: opts.out }),
      );
      // The warnings of the app's constructs (HttpAuth.NONE, for one), on standard error as `cdk synth` shows them.
      for (const warning of summary.warnings) console.error(`warning: ${warning}`);
      console.log(
        opts.json
          ? JSON.stringify(summary, null, 2)
          : `\n${formatSummary(summary)}\n\nCloud assembly: ${path.relative(process.cwd(), summary.assemblyDir) || '.'}`,
      );
    });
}
