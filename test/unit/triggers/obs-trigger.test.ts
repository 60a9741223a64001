import { App, Fn, NestedStack, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { ObsBucket, ObsEvent, ObsTrigger } from '../../../lib';
import { NESTED_FUNCTION_STACKS } from '../../../lib/function/placement';
import { BucketNotifications } from '../../../lib/triggers/obs-trigger';
import { functionNameIn, LAMBDA_ARN_PREFIX, oneResource, unbuiltStack } from '../../helpers';
import { fixtureFunction } from './helpers';

/** A bucket of the template, by the start of its logical id. */
const bucketOf = (template: Template, prefix: string) => oneResource(template, 'AWS::S3::Bucket', prefix);

describe('ObsTrigger', () => {
  let stack: Stack;
  beforeEach(() => {
    stack = unbuiltStack();
  });

  test('configures the notification natively on the bucket, after the permission, with no custom resource', () => {
    const bucket = new ObsBucket(stack, 'Uploads');
    fixtureFunction(stack, 'Fn', {
      environment: { BUCKET: bucket.bucketName },
      triggers: [new ObsTrigger(bucket, { prefix: 'uploads/', suffix: '.jpg' })],
    });
    bucket.grantReadWrite(fixtureFunction(stack, 'Other'));

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: {
        'Fn::Join': [
          '-',
          [Match.stringLikeRegexp('^uploads-[0-9a-f]{8}$'), { Ref: 'AWS::AccountId' }, { Ref: 'AWS::Region' }],
        ],
      },
      NotificationConfiguration: {
        LambdaConfigurations: [
          {
            Event: 's3:ObjectCreated:*',
            Function: { 'Fn::Sub': `${LAMBDA_ARN_PREFIX}:function:${functionNameIn(template, 'FnFunction')}` },
            Filter: {
              S3Key: {
                Rules: [
                  { Name: 'prefix', Value: 'uploads/' },
                  { Name: 'suffix', Value: '.jpg' },
                ],
              },
            },
          },
        ],
      },
    });
    template.hasResource('AWS::S3::Bucket', {
      DependsOn: [Match.stringLikeRegexp('^FnFunctionObsTrigger.*Permission')],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 's3.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: { 'Fn::Join': ['', Match.arrayWith(['arn:', { Ref: 'AWS::Partition' }])] },
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('Custom::');
    // The configuration refers to no other resource: CDK's template validation walks each reference at every node of
    // the list (about quadratic time in its entries).
    const config = JSON.stringify(bucketOf(template, 'Uploads').Properties.NotificationConfiguration);
    expect(config).not.toMatch(/Fn::GetAtt|"Ref"/);
  });

  test("a function with reserved instances is named by its alias's ARN, and the bucket waits for the alias's permission", () => {
    const bucket = new ObsBucket(stack, 'Uploads');
    fixtureFunction(stack, 'Fn', { reservedInstances: 1, triggers: [new ObsTrigger(bucket)] });

    const template = Template.fromStack(stack);
    const uploads = bucketOf(template, 'Uploads');
    expect(uploads.Properties.NotificationConfiguration).toEqual({
      LambdaConfigurations: [
        {
          Event: 's3:ObjectCreated:*',
          Function: { 'Fn::Sub': `${LAMBDA_ARN_PREFIX}:function:${functionNameIn(template, 'FnFunction')}:live` },
        },
      ],
    });
    expect(uploads.DependsOn).toEqual([expect.stringMatching(/^FnLiveObsTrigger.*Permission/)]);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 's3.amazonaws.com',
      FunctionName: { Ref: Match.stringLikeRegexp('^FnLive') },
    });
  });

  test('a function in a nested stack of functions is named by its ARN, and the bucket waits for that nested stack', () => {
    const app = new App({ context: { [NESTED_FUNCTION_STACKS]: 1, 'aws:cdk:bundling-stacks': [] } });
    const parent = new Stack(app, 'Parent');
    const bucket = new ObsBucket(parent, 'Uploads');
    const fn = fixtureFunction(parent, 'Fn', { triggers: [new ObsTrigger(bucket, { prefix: 'in/' })] });
    const nested = parent.node.children.find((c): c is NestedStack => c instanceof NestedStack);
    expect(nested && Stack.of(fn)).toBe(nested);

    const template = Template.fromStack(parent);
    const nestedResource = Object.keys(template.findResources('AWS::CloudFormation::Stack'));
    expect(nestedResource).toHaveLength(1);
    const uploads = bucketOf(template, 'Uploads');
    expect(uploads.DependsOn).toEqual(nestedResource);
    const name = functionNameIn(Template.fromStack(nested as NestedStack), 'FnFunction');
    expect(uploads.Properties.NotificationConfiguration).toEqual({
      LambdaConfigurations: [
        {
          Event: 's3:ObjectCreated:*',
          Function: { 'Fn::Sub': `${LAMBDA_ARN_PREFIX}:function:${name}` },
          Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'in/' }] } },
        },
      ],
    });
    // No output of the nested stack for it: the parent reads nothing from it.
    expect(Template.fromStack(nested as NestedStack).toJSON().Outputs).toBeUndefined();
  });

  test('a function whose name is a token, or in another stack than the bucket (with an alias too), is named by its own ARN', () => {
    const bucket = new ObsBucket(stack, 'Uploads');
    fixtureFunction(stack, 'Named', {
      functionName: Fn.join('-', ['named', Stack.of(stack).stackName]),
      triggers: [new ObsTrigger(bucket, { prefix: 'named/' })],
    });
    const other = new Stack(stack.node.scope as App, 'Other', {
      env: { account: stack.account, region: stack.region },
    });
    fixtureFunction(other, 'Far', { triggers: [new ObsTrigger(bucket, { prefix: 'far/' })] });
    fixtureFunction(other, 'FarLive', {
      reservedInstances: 1,
      triggers: [new ObsTrigger(bucket, { prefix: 'live/' })],
    });

    const entries = (
      bucketOf(Template.fromStack(stack), 'Uploads').Properties.NotificationConfiguration as {
        LambdaConfigurations: Array<{ Function: unknown }>;
      }
    ).LambdaConfigurations.map(entry => entry.Function);
    expect(entries).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^NamedFunction/), 'Arn'] },
      { 'Fn::ImportValue': expect.stringMatching(/^Other:ExportsOutputFnGetAttFarFunction/) },
      // With reserved instances, its alias's own ARN (the alias's Ref is its ARN), exported from the other stack.
      { 'Fn::ImportValue': expect.stringMatching(/^Other:ExportsOutputRefFarLive/) },
    ]);
  });

  test("a name changed after the trigger is followed: set on the CfnFunction, by name; by a property override, by the function's own ARN", () => {
    const bucket = new ObsBucket(stack, 'Uploads');
    const renamed = fixtureFunction(stack, 'Renamed', { triggers: [new ObsTrigger(bucket, { prefix: 'a/' })] });
    (renamed.lambda.node.defaultChild as CfnFunction).functionName = 'renamed-on-l1';
    const overridden = fixtureFunction(stack, 'Overridden', { triggers: [new ObsTrigger(bucket, { prefix: 'b/' })] });
    (overridden.lambda.node.defaultChild as CfnFunction).addPropertyOverride('FunctionName', 'renamed-by-override');
    const unnamed = fixtureFunction(stack, 'Unnamed', { triggers: [new ObsTrigger(bucket, { prefix: 'c/' })] });
    (unnamed.lambda.node.defaultChild as CfnFunction).addPropertyDeletionOverride('FunctionName');

    const template = Template.fromStack(stack);
    expect(functionNameIn(template, 'RenamedFunction')).toBe('renamed-on-l1');
    expect(functionNameIn(template, 'OverriddenFunction')).toBe('renamed-by-override');
    const entries = (
      bucketOf(template, 'Uploads').Properties.NotificationConfiguration as {
        LambdaConfigurations: Array<{ Function: unknown }>;
      }
    ).LambdaConfigurations.map(entry => entry.Function);
    expect(entries).toEqual([
      { 'Fn::Sub': `${LAMBDA_ARN_PREFIX}:function:renamed-on-l1` },
      { 'Fn::GetAtt': [expect.stringMatching(/^OverriddenFunction/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^UnnamedFunction/), 'Arn'] },
    ]);
  });

  test('two functions on one bucket with filters that cannot both match are fine', () => {
    const bucket = new ObsBucket(stack, 'Uploads');
    fixtureFunction(stack, 'Images', { triggers: [new ObsTrigger(bucket, { prefix: 'images/' })] });
    fixtureFunction(stack, 'Docs', {
      triggers: [new ObsTrigger(bucket, { prefix: 'docs/' }), new ObsTrigger(new ObsBucket(stack, 'Other'))],
    });
    fixtureFunction(stack, 'Cleanup', { triggers: [new ObsTrigger(bucket, { events: [ObsEvent.OBJECT_REMOVED] })] });

    const config = Template.fromStack(stack).findResources('AWS::S3::Bucket');
    const uploads = Object.entries(config).find(([id]) => id.startsWith('Uploads'))?.[1];
    expect(uploads?.Properties.NotificationConfiguration.LambdaConfigurations).toHaveLength(3);
  });

  test('a Bucket with an explicit name works too', () => {
    const bucket = new Bucket(stack, 'Named', { bucketName: 'my-named-bucket' });
    fixtureFunction(stack, 'Fn', { triggers: [new ObsTrigger(bucket)] });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Permission', {
      SourceArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-named-bucket']] },
    });
  });

  test('fails if two triggers on one bucket overlap for the same event, naming both filters', () => {
    const bucket = new ObsBucket(stack, 'Uploads');
    fixtureFunction(stack, 'First', { triggers: [new ObsTrigger(bucket, { prefix: 'uploads/' })] });

    expect(() =>
      fixtureFunction(stack, 'Second', {
        triggers: [
          new ObsTrigger(bucket, { prefix: 'uploads/img/', suffix: '.png', events: [ObsEvent.OBJECT_CREATED_PUT] }),
        ],
      }),
    ).toThrow(
      "ObsTrigger on Stack/Uploads overlaps another trigger of that bucket for s3:ObjectCreated:Put: prefix 'uploads/img/' suffix '.png' (this one) and prefix 'uploads/' suffix '' (Stack/First); allowed: filters that no key can match both in Stack/Second",
    );
  });

  test('finds every overlap a comparison with each earlier trigger finds, and no other (all pairs of filters)', () => {
    const prefixes = ['', 'a', 'a/', 'a/b/', 'a/c', 'b/', 'ab', 'p/0', 'p/1', 'p/1/x', 'p/2', 'q'];
    const suffixes = ['', '.png', 'x.png', '.jpg'];
    const events = [
      ObsEvent.OBJECT_CREATED,
      ObsEvent.OBJECT_CREATED_PUT,
      ObsEvent.OBJECT_CREATED_COPY,
      ObsEvent.OBJECT_REMOVED,
    ];
    const filters = prefixes.flatMap(prefix =>
      suffixes.flatMap(suffix => events.map(event => ({ event, prefix, suffix }))),
    );
    type Filter = (typeof filters)[number];
    // The rule spelled out: one family, a kind that is * or the same, one prefix starting the other, one suffix
    // ending the other.
    const overlap = (a: Filter, b: Filter) => {
      const [familyA, kindA] = a.event.split(':').slice(1);
      const [familyB, kindB] = b.event.split(':').slice(1);
      return (
        familyA === familyB &&
        (kindA === '*' || kindB === '*' || kindA === kindB) &&
        (a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix)) &&
        (a.suffix.endsWith(b.suffix) || b.suffix.endsWith(a.suffix))
      );
    };
    let clashes = 0;
    const wrong: string[] = [];
    for (const earlier of filters) {
      // Registered beside another that overlaps neither, so the index has to tell them apart.
      const registered = new BucketNotifications();
      const others = [earlier, { event: ObsEvent.OBJECT_CREATED, prefix: 'zz/', suffix: '' }];
      for (const other of others) {
        const [family, kind] = other.event.split(':').slice(1);
        registered.add({ ...other, family, kind, functionArn: 'arn', functionPath: `Stack/${other.prefix}` });
      }
      for (const later of filters) {
        const [family, kind] = later.event.split(':').slice(1);
        const found = registered.clash({ family, kind, prefix: later.prefix, suffix: later.suffix });
        // Found when one overlaps, and then one that does.
        if ((found !== undefined) !== others.some(o => overlap(o, later)) || (found && !overlap(found, later))) {
          wrong.push(JSON.stringify({ earlier, later, found: found?.prefix }));
        }
        if (found) clashes++;
      }
    }
    expect(wrong).toEqual([]);
    expect(clashes).toBeGreaterThan(1000);

    // And a bucket that has many: each filter in turn, added unless it clashes with one already there.
    const many = new BucketNotifications();
    const added: Filter[] = [];
    const order = filters.map((f, i) => ({ f, key: (i * 37) % filters.length })).sort((x, y) => x.key - y.key);
    for (const { f } of order) {
      const [family, kind] = f.event.split(':').slice(1);
      const found = many.clash({ family, kind, prefix: f.prefix, suffix: f.suffix });
      if ((found !== undefined) !== added.some(a => overlap(a, f)) || (found && !overlap(found, f))) {
        wrong.push(JSON.stringify({ many: f, found: found?.prefix }));
      }
      if (!found) {
        many.add({ ...f, family, kind, functionArn: 'arn', functionPath: `Stack/${added.length}` });
        added.push(f);
      }
    }
    expect(wrong).toEqual([]);
    expect(added.length).toBeGreaterThan(10);
  });

  test('fails if the bucket is named by CloudFormation', () => {
    const bucket = new Bucket(stack, 'Plain');
    expect(() => fixtureFunction(stack, 'Fn', { triggers: [new ObsTrigger(bucket)] })).toThrow(
      'ObsTrigger needs a bucket whose name refers to no resource (given Stack/Plain, named by CloudFormation): create it as an ObsBucket, or give it a bucketName in Stack/Fn',
    );
  });

  test('fails if the bucket is imported', () => {
    const bucket = Bucket.fromBucketName(stack, 'Imported', 'someone-elses');
    expect(() => fixtureFunction(stack, 'Fn', { triggers: [new ObsTrigger(bucket)] })).toThrow(
      'ObsTrigger needs a bucket defined in this app, to configure its notifications (given Stack/Imported, an imported bucket) in Stack/Fn',
    );
  });

  test('fails if the prefix is empty', () => {
    expect(() => new ObsTrigger(new ObsBucket(stack, 'Uploads'), { prefix: '' })).toThrow(
      "ObsTrigger on Stack/Uploads: prefix must be 1 to 1024 characters (given ''); leave it out for any key",
    );
  });
});
