import { Architecture, ILayerVersion, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { StageCode } from './stage-code';
import { MODEL_METADATA } from '../model';

/** Properties of a {@link StageLibrary}. */
export interface StageLibraryProps {
  /**
   * What the library holds, built with the same builders as function code, in the layout its
   * runtime loads libraries from: Python under `python/`, Node.js packages under
   * `nodejs/node_modules` (from a folder with `package.json`), Java jars under `java/lib`, and Go
   * executables under `bin/`.
   */
  readonly code: StageCode;
  /**
   * The architecture the library is built for.
   * @default Architecture.X86_64
   */
  readonly architecture?: Architecture;
  /**
   * A description of the library.
   * @default - none
   */
  readonly description?: string;
}

/**
 * A library shared by functions (a Lambda layer): FunctionStage's dependency packages.
 *
 * Functions take up to five, in order, with the `libraries` property of {@link StageFunction};
 * a later library's files win over an earlier one's.
 */
export class StageLibrary extends Construct {
  /** The layer version. */
  public readonly layer: ILayerVersion;
  /** The runtime the library was built for. */
  public readonly runtime: Runtime;
  /** The architecture the library was built for. */
  public readonly architecture: Architecture;

  constructor(scope: Construct, id: string, props: StageLibraryProps) {
    super(scope, id);
    this.architecture = props.architecture ?? Architecture.X86_64;
    const config = props.code._bindAsLibrary(this, { architecture: this.architecture });
    this.runtime = config.runtime;
    this.node.addMetadata(MODEL_METADATA, { library: { path: this.node.path, runtime: this.runtime.name } });
    this.layer = new LayerVersion(this, 'Layer', {
      code: config.code,
      compatibleRuntimes: [config.runtime],
      compatibleArchitectures: [this.architecture],
      description: props.description,
    });
  }
}
