// The AWS SDK's clients, each loaded where a command first calls its service, not when the CLI or `import
// 'stagegraph'` starts: together about 120 ms, which `stagegraph --help` and a command that calls one service do not
// need. Import their types from the packages themselves (`import type`), and their values through these.
import type * as CloudFormation from '@aws-sdk/client-cloudformation';
import type * as CloudWatch from '@aws-sdk/client-cloudwatch';
import type * as CloudWatchLogs from '@aws-sdk/client-cloudwatch-logs';
import type * as EventBridge from '@aws-sdk/client-eventbridge';
import type * as Kinesis from '@aws-sdk/client-kinesis';
import type * as Lambda from '@aws-sdk/client-lambda';
import type * as S3 from '@aws-sdk/client-s3';
import type * as SFN from '@aws-sdk/client-sfn';
import type * as SNS from '@aws-sdk/client-sns';
import type * as SQS from '@aws-sdk/client-sqs';

/* eslint-disable @typescript-eslint/no-require-imports -- each loaded on first use */
export const cloudFormationSdk = (): typeof CloudFormation => require('@aws-sdk/client-cloudformation');
export const cloudWatchSdk = (): typeof CloudWatch => require('@aws-sdk/client-cloudwatch');
export const cloudWatchLogsSdk = (): typeof CloudWatchLogs => require('@aws-sdk/client-cloudwatch-logs');
export const eventBridgeSdk = (): typeof EventBridge => require('@aws-sdk/client-eventbridge');
export const kinesisSdk = (): typeof Kinesis => require('@aws-sdk/client-kinesis');
export const lambdaSdk = (): typeof Lambda => require('@aws-sdk/client-lambda');
export const s3Sdk = (): typeof S3 => require('@aws-sdk/client-s3');
export const sfnSdk = (): typeof SFN => require('@aws-sdk/client-sfn');
export const snsSdk = (): typeof SNS => require('@aws-sdk/client-sns');
export const sqsSdk = (): typeof SQS => require('@aws-sdk/client-sqs');
/* eslint-enable @typescript-eslint/no-require-imports */
