// `npm start`: install what is missing, start the embedded LocalStack, deploy the example app, drive
// its four scenarios with real inputs, and print what happened and the bill. LocalStack keeps running.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
import * as path from 'path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SQSClient } from '@aws-sdk/client-sqs';
import { nameBill, readBill } from '../lib/app/bill';
import { deployLocal } from '../lib/app/deploy';
import { deployedFunctionIds } from '../lib/app/deployed';
import { ensureLocalCloud } from '../lib/app/local-run';
import { localClientConfig, localRestApiUrl } from '../lib/local/endpoint';
import { formatBill } from '../lib/terminal/bill-table';
import { step, terminalProgress } from '../lib/terminal/progress';
import {
  ExampleCloud,
  exampleOutputs,
  Inbox,
  runDocuments,
  runFileProcessing,
  runIot,
  runWebBackend,
} from './example/scenarios';

const ROOT = path.join(__dirname, '..');

async function main(): Promise<void> {
  const times: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await work();
    } finally {
      times[name] = (Date.now() - started) / 1000;
    }
  };
  const began = Date.now();
  await timed('install + start', () => ensureLocalCloud(ROOT, terminalProgress));
  await timed('build + deploy', () =>
    step('Building and deploying the example app (4 scenarios) to the local cloud', () =>
      deployLocal({
        projectDir: ROOT,
        outdir: path.join(ROOT, 'cdk.out'),
        onProgress: line => terminalProgress.detail(line.split('\n')[0]),
      }),
    ),
  );

  const cloud: ExampleCloud = { config: localClientConfig(), apiUrl: localRestApiUrl };
  const out = await exampleOutputs(cloud);
  const sqs = new SQSClient(cloud.config);
  const inbox = new Inbox(sqs, out.InboxQueueUrl);
  const run = Date.now().toString(36);
  const lines: string[] = [];
  try {
    await timed('run', async () => {
      const file = await step('1. File processing: uploading a 640x426 PNG under uploads/', () =>
        runFileProcessing(cloud, out, inbox, run),
      );
      lines.push(
        '1. File processing (OBS -> Go -> OBS + SMN)',
        `   ${file.upload.key} (${file.upload.width}x${file.upload.height}) -> ${file.thumbnail.key} (${file.thumbnail.width}x${file.thumbnail.height}, ${file.thumbnail.bytes} bytes), SMN: ${JSON.stringify(file.notification)}`,
      );

      const iot = await step('2. IoT: 30 readings of 3 devices to DMS, 3 to DIS', () => runIot(cloud, out, inbox, run));
      lines.push('2. IoT real-time data (DMS + DIS -> Java -> SMN)');
      for (const [device, s] of Object.entries(iot.perDevice)) {
        lines.push(`   ${device}: ${s.count} readings, min ${s.min}, max ${s.max}, mean ${s.mean.toFixed(2)} °C`);
      }
      lines.push(
        `   from DIS: ${iot.streamAggregates.length} aggregates; alerts: ${iot.alerts.map(a => `${a.device} max ${a.max} > ${a.threshold}`).join(', ')}`,
      );

      const web = await step('3. Web backend: a CRUD round trip and bad requests over HTTP', () =>
        runWebBackend(cloud, out),
      );
      lines.push(
        '3. Web/mobile backend (HTTP -> Node.js -> OBS)',
        `   POST ${web.created.status}, GET ${web.read.status}, PUT ${web.updated.status} (price ${(web.updated.body as { price: number }).price}), list ${web.listedCount} item(s), DELETE ${web.deleted.status}, GET again ${web.gone.status}`,
        `   bad input: ${Object.entries(web.bad)
          .map(([name, r]) => `${name} ${r.status}`)
          .join(', ')}`,
      );

      const docs = await step('4. Serverless + AI: uploading two documents under documents/', () =>
        runDocuments(cloud, out, inbox, run),
      );
      lines.push('4. Serverless + AI (OBS -> FunctionGraph flow: Python, Python model + Node.js in parallel, choice)');
      for (const [name, r] of Object.entries(docs.results)) {
        const sentiment = (r.output.analysis as { sentiment?: { label: string; confidence: number } } | undefined)
          ?.sentiment;
        lines.push(
          `   ${name}: ${r.status}, ${sentiment?.label} (${sentiment?.confidence}), ${r.output.archived ? `archived to ${docs.archivedKey}` : 'SMN alert sent'}`,
        );
      }
    });
  } finally {
    sqs.destroy();
  }
  console.log(`\n${lines.join('\n')}\n`);

  const cloudwatch = new CloudWatchClient(cloud.config);
  try {
    // The meter runs on each function's log lines as they arrive: wait until it has caught up.
    const bill = await step('Reading the bill from the billing meter', async () => {
      const deadline = Date.now() + 60_000;
      let last = await readBill(cloudwatch, Date.now() - began + 60_000);
      for (;;) {
        await new Promise(resolve => setTimeout(resolve, 2000));
        const next = await readBill(cloudwatch, Date.now() - began + 60_000);
        if ((next.total.invocations === last.total.invocations && next.functions.length >= 6) || Date.now() > deadline)
          return next;
        last = next;
      }
    });
    console.log(`\n${formatBill(nameBill(bill, await deployedFunctionIds(path.join(ROOT, 'cdk.out'))))}\n`);
  } finally {
    cloudwatch.destroy();
  }
  console.log(
    `Time: ${Object.entries(times)
      .map(([name, s]) => `${name} ${s.toFixed(1)} s`)
      .join(', ')}.`,
  );
  // In this repository the CLI runs from source through the `stagegraph` npm script.
  console.log(
    '\nLocalStack keeps running at http://127.0.0.1:4566: try `npm run stagegraph -- bill`, `npm run stagegraph -- graph`, `npm run stagegraph -- logs Thumbnail`.',
  );
  console.log('Stop it with: npm run stagegraph -- local down');
}

main().catch(error => {
  console.error(`npm start: ${(error as Error).message}`);
  process.exitCode = 1;
});
