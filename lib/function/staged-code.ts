import * as path from 'path';
import { AssetHashType, AssetStaging, BundlingOptions, CfnResource, Names, Stack } from 'aws-cdk-lib';
import { Code, CodeConfig, ResourceBindOptions } from 'aws-cdk-lib/aws-lambda';
import {
  ASSET_RESOURCE_METADATA_ENABLED_CONTEXT,
  ASSET_RESOURCE_METADATA_IS_BUNDLED_KEY,
  ASSET_RESOURCE_METADATA_PATH_KEY,
  ASSET_RESOURCE_METADATA_PROPERTY_KEY,
} from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { StageValidationError } from '../errors';

/** How a {@link StagedCode} is staged: a folder bundled locally into the cloud assembly, under a hash given. */
export interface StagedCodeOptions {
  /** The asset hash (CDK fingerprints nothing). */
  readonly assetHash: string;
  /** The bundling, local only. */
  readonly bundling: BundlingOptions;
}

interface Staged {
  readonly stack: Stack;
  readonly staging: AssetStaging;
  readonly assetPath: string;
  readonly bucketName: string;
  readonly objectKey: string;
}

/**
 * A folder bundled into a Lambda code asset: the construct `Code.fromAsset` makes (`<scope>/Code/Stage`), the same
 * asset in the cloud assembly, the same `s3Location` and the same resource metadata, without the `Asset` construct's
 * import of the assets bucket as an `IBucket` (`Bucket.fromBucketAttributes`) that nothing here reads through: that
 * import loads CDK's facts of every region, about 70 ms of a synth whose app has no other need of them (an app with
 * version reporting on, as `cdk synth` runs it, or a stack with a region and `@aws-cdk/core:enablePartitionLiterals`,
 * loads them anyway).
 */
export class StagedCode extends Code {
  public readonly isInline = false;
  private staged?: Staged;

  constructor(
    private readonly sourcePath: string,
    private readonly options: StagedCodeOptions,
  ) {
    super();
  }

  public bind(scope: Construct): CodeConfig {
    const stack = Stack.of(scope);
    if (this.staged === undefined) {
      const asset = new Construct(scope, 'Code');
      const staging = new AssetStaging(asset, 'Stage', {
        sourcePath: path.resolve(this.sourcePath),
        assetHashType: AssetHashType.CUSTOM,
        assetHash: this.options.assetHash,
        bundling: this.options.bundling,
      });
      if (!staging.isArchive) {
        scope.node.tryRemoveChild('Code'); // a second bind fails with this error again, not a duplicate id
        throw new StageValidationError(
          scope,
          `the code at ${this.sourcePath} was built into a file that is no archive (allowed: a folder, or one .zip or .jar file)`,
        );
      }
      const assetPath = staging.relativeStagedPath(stack);
      const location = stack.synthesizer.addFileAsset({
        packaging: staging.packaging,
        sourceHash: staging.assetHash,
        fileName: assetPath,
        deployTime: true,
        displayName: Names.stackRelativeConstructPath(asset),
      });
      this.staged = { stack, staging, assetPath, bucketName: location.bucketName, objectKey: location.objectKey };
    } else if (this.staged.stack !== stack) {
      throw new StageValidationError(
        scope,
        `this code is already an asset of the stack ${this.staged.stack.stackName} (allowed: one stack per code; make another for ${stack.stackName})`,
      );
    }
    return { s3Location: { bucketName: this.staged.bucketName, objectKey: this.staged.objectKey } };
  }

  /** The asset's path in the resource's metadata, when the toolkit asks for it (`aws:cdk:enable-asset-metadata`). */
  public bindToResource(resource: CfnResource, options: ResourceBindOptions = {}): void {
    if (this.staged === undefined) {
      throw new StageValidationError(resource, 'the code must be bound to the function before its resource');
    }
    if (resource.node.tryGetContext(ASSET_RESOURCE_METADATA_ENABLED_CONTEXT)) {
      resource.cfnOptions.metadata = {
        ...resource.cfnOptions.metadata,
        [ASSET_RESOURCE_METADATA_PATH_KEY]: this.staged.assetPath,
        [ASSET_RESOURCE_METADATA_IS_BUNDLED_KEY]: true,
        [ASSET_RESOURCE_METADATA_PROPERTY_KEY]: options.resourceProperty ?? 'Code',
      };
    }
  }

  /** The staging, once bound: its asset hash and the built folder in the cloud assembly. */
  public get staging(): AssetStaging | undefined {
    return this.staged?.staging;
  }
}
