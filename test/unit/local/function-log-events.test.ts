import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { functionLogEvents } from '../../../lib/local/function-log-events';

// Which calls the reader makes for a function of a shared group, with a recording client (the calls' answers reach
// CloudWatch Logs in the integration tests: test/integ/function-logs.ts).
function recordingClient(streams: string[]) {
  const calls: Array<{ name: string; input: Record<string, unknown> }> = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      calls.push({ name: command.constructor.name, input: command.input });
      if (command.constructor.name === 'DescribeLogStreamsCommand') {
        const prefix = (command.input.logStreamNamePrefix as string | undefined) ?? '';
        return { logStreams: streams.filter(s => s.startsWith(prefix)).map(logStreamName => ({ logStreamName })) };
      }
      const names = command.input.logStreamNames as string[];
      return { events: names.map((name, i) => ({ logStreamName: name, timestamp: 100 - i, message: name })) };
    },
  };
  // A client of the SDK's class (its paginators take no other), whose requests the record answers.
  const real = new CloudWatchLogsClient({ region: 'us-east-1' });
  real.send = client.send as unknown as CloudWatchLogsClient['send'];
  return { client: real, calls };
}

const source = { functionName: 'shop-api', logGroupName: '/aws/lambda/Shop/functions', shared: true };
const day = (time: number) => new Date(time).toISOString().slice(0, 10).replace(/-/g, '/');

test("a function's streams of the day before the start to today, by prefix; its events oldest first", async () => {
  const today = `${day(Date.now())}/shop-api[$LATEST]0a`;
  const { client, calls } = recordingClient([today, `${day(Date.now())}/shop-big[$LATEST]0b`, 'fake/shop-api[1]0c']);

  const events = await functionLogEvents(client, source, Date.now() - 60_000);

  const prefixes = calls.filter(c => c.name === 'DescribeLogStreamsCommand').map(c => c.input.logStreamNamePrefix);
  expect(prefixes).toEqual([`${day(Date.now() - 86_400_000 - 60_000)}/shop-api[`, `${day(Date.now())}/shop-api[`]);
  expect(calls.filter(c => c.name === 'FilterLogEventsCommand').map(c => c.input.logStreamNames)).toEqual([[today]]);
  expect(events.map(e => e.logStreamName)).toEqual([today]);
});

test('from the epoch (everything), one listing of the group, not a call a day since 1970', async () => {
  const { client, calls } = recordingClient([`2020/01/01/shop-api[3]0a`, `2026/11/25/shop-api[$LATEST]0b`]);

  const events = await functionLogEvents(client, source, 0);

  const listings = calls.filter(c => c.name === 'DescribeLogStreamsCommand');
  expect(listings.map(c => c.input.logStreamNamePrefix)).toEqual([undefined]);
  // Both streams, sorted by time across them.
  expect(events.map(e => e.timestamp)).toEqual([99, 100]);
});

test('no stream of the function: no FilterLogEvents call, no events', async () => {
  const { client, calls } = recordingClient([]);
  expect(await functionLogEvents(client, source, Date.now())).toEqual([]);
  expect(calls.map(c => c.name)).toEqual(['DescribeLogStreamsCommand', 'DescribeLogStreamsCommand']);
});
