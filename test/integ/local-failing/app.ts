// An app whose deploy fails in the local cloud: a bucket name S3 refuses (the L1 resource is not
// validated at synth time, so the failure comes from the deploy itself).
import { App, Stack } from 'aws-cdk-lib';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';

const app = new App();
const stack = new Stack(app, 'FailingStack');
new CfnBucket(stack, 'BadBucket', { bucketName: 'Not_A_Valid_Bucket_Name!' });
app.synth();
