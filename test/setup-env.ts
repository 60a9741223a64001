// The built-in CloudFormation validator costs about 6 s per Jest worker registry: off in tests
// unless a test turns it back on (the example app's synth test does).
if (process.env.CDK_VALIDATION === undefined) {
  process.env.CDK_VALIDATION = 'false';
}
