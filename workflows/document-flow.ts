// Scenario 4, serverless + AI: a text document uploaded to OBS under documents/ starts this flow.
// Extract (Python) -> in parallel, sentiment with a model shipped in the repo (Python) and keywords
// (Node.js) -> negative documents raise an SMN alert, the others are archived in OBS.
import * as path from 'path';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  Condition,
  DeployTarget,
  deployTargetOf,
  Flow,
  FlowErrors,
  FunctionGraph,
  ObsBucket,
  ObsTrigger,
  StageCode,
  StageFunction,
} from '../lib';

const FUNCTIONS = path.join(__dirname, '..', 'functions');

/** Properties of a {@link DocumentFlow}. */
export interface DocumentFlowProps {
  /** Where documents arrive (under `documents/`) and analyses are archived (under `archive/`). */
  readonly bucket: ObsBucket;
  /** Where alerts about negative documents, and failures, are published. */
  readonly alerts: ITopic;
}

/** The document analysis flow and its four functions. */
export class DocumentFlow extends Construct {
  public readonly flow: FunctionGraph;
  public readonly functions: StageFunction[];

  constructor(scope: Construct, id: string, props: DocumentFlowProps) {
    super(scope, id);
    // Runtimes FunctionGraph offers, when the app is rendered for Huawei Cloud too.
    const huawei = deployTargetOf(this) === DeployTarget.HUAWEI;
    const python = huawei ? { runtime: Runtime.PYTHON_3_10 } : {};
    const nodejs = huawei ? { runtime: Runtime.NODEJS_18_X } : {};
    const extract = new StageFunction(this, 'ExtractText', {
      code: StageCode.fromPython(path.join(FUNCTIONS, 'extract-text'), python),
      memorySize: 256,
    });
    const sentiment = new StageFunction(this, 'ClassifySentiment', {
      code: StageCode.fromPython(path.join(FUNCTIONS, 'classify-sentiment'), python),
      memorySize: 512,
    });
    const keywords = new StageFunction(this, 'ExtractKeywords', {
      code: StageCode.fromNodejs(path.join(FUNCTIONS, 'extract-keywords'), nodejs),
      memorySize: 256,
    });
    const archive = new StageFunction(this, 'ArchiveResult', {
      code: StageCode.fromNodejs(path.join(FUNCTIONS, 'archive-result'), nodejs),
      memorySize: 256,
    });
    props.bucket.grantRead(extract, 'documents/*');
    props.bucket.grantPut(archive, 'archive/*');
    this.functions = [extract, sentiment, keywords, archive];

    // A step's own failure is retried twice before the flow gives up on it.
    const retryTaskFailures = { errors: [FlowErrors.TASK_FAILED], maxAttempts: 2 };
    const definition = Flow.sequence(
      Flow.invoke('Extract text', extract, {
        payload: { 'bucket.$': '$.bucket', 'key.$': '$.key' },
        resultPath: '$.document',
      }).retry(retryTaskFailures),
      Flow.parallel(
        'Analyse',
        [
          Flow.invoke('Classify sentiment', sentiment, { payload: { 'text.$': '$.document.text' } }).retry(
            retryTaskFailures,
          ),
          Flow.invoke('Extract keywords', keywords, { payload: { 'text.$': '$.document.text', count: 5 } }).retry(
            retryTaskFailures,
          ),
        ],
        { resultSelector: { 'sentiment.$': '$[0]', 'keywords.$': '$[1].keywords' }, resultPath: '$.analysis' },
      ).catch(
        Flow.sequence(
          Flow.notify('Report failure', props.alerts, {
            subject: 'Document analysis failed',
            message: { 'key.$': '$.key', 'error.$': '$.error' },
          }),
          Flow.fail('Analysis failed', { error: 'AnalysisFailed' }),
        ),
      ),
      Flow.choice('Negative?')
        .when(
          Condition.stringEquals('$.analysis.sentiment.label', 'negative'),
          Flow.notify('Alert', props.alerts, {
            subject: 'Negative document',
            message: { 'key.$': '$.key', 'sentiment.$': '$.analysis.sentiment', 'keywords.$': '$.analysis.keywords' },
            resultPath: '$.alert',
          }).retry({ maxAttempts: 2 }),
        )
        .otherwise(
          Flow.invoke('Archive', archive, {
            payload: { 'bucket.$': '$.bucket', 'key.$': '$.key', 'analysis.$': '$.analysis' },
            resultPath: '$.archived',
          }).retry(retryTaskFailures),
        ),
    );
    this.flow = new FunctionGraph(this, 'Flow', {
      definition,
      comment: 'Document analysis: extract, classify and find keywords, then alert or archive',
      triggers: [new ObsTrigger(props.bucket, { prefix: 'documents/', suffix: '.txt' })],
    });
  }
}
