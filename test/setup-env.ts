// The built-in CloudFormation validator costs about 6 s per Jest worker registry: off in tests
// unless a test turns it back on (the example app's synth test does).
if (process.env.CDK_VALIDATION === undefined) {
  process.env.CDK_VALIDATION = 'false';
}
// The pinned AWS SDK runs on Node.js 20; its notice about future releases is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
