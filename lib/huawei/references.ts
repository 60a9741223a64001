import { tfExpression } from './terraform-json';
import { followLinks, resourceAt, type AppModel, type TemplateResource } from './app-model';

/** What a CloudFormation resource of the app is on Huawei Cloud, when it has been rendered. */
export interface RenderedResource {
  /** The Terraform type and name, e.g. `huaweicloud_smn_topic` and `alerts`. */
  readonly type: string;
  readonly name: string;
  /** The attribute that stands for `Ref` (the topic URN, the bucket name, the stream name). */
  readonly ref: string;
  /** The attributes that stand for `Fn::GetAtt` attributes, e.g. `{ Arn: 'urn' }` for a function. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Where a value comes from, for messages: `environment variable TOPIC of App/Fn`. */
export type Describe = () => string;

/**
 * Turns values with CloudFormation intrinsics into Terraform strings: `Ref` and `Fn::GetAtt` of rendered resources
 * become references to their Terraform attributes, `AWS::Region` and `AWS::AccountId` the `region` and
 * `project_id` variables, `Fn::Join` a string. What has no equivalent is reported through `refuse`.
 */
export class References {
  private readonly rendered = new Map<string, RenderedResource>();

  constructor(
    private readonly model: Pick<AppModel, 'resources' | 'links'>,
    private readonly refuse: (path: string, message: string) => void,
  ) {}

  /** Notes what a CloudFormation resource became. */
  public add(resource: TemplateResource, rendered: RenderedResource): void {
    this.rendered.set(`${resource.template}/${resource.logicalId}`, rendered);
  }

  /** The resource of a template by logical id. */
  public resource(template: string, logicalId: string): TemplateResource | undefined {
    return resourceAt(this.model, template, logicalId);
  }

  /**
   * The value, written in `template`, as a Terraform string; `undefined` (and a refusal) when it cannot be one.
   * A nested stack's parameters and outputs are followed to the template that defines their value.
   */
  public string(given: unknown, template: string, consumer: string, what: string): string | undefined {
    const { value, template: stack } = followLinks(this.model, template, given);
    if (typeof value === 'string') return value.replace(/\$\{/g, '$${');
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.refuse(consumer, `${what} is not a string (given ${JSON.stringify(value)})`);
      return undefined;
    }
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length !== 1) {
      this.refuse(consumer, `${what} is an object (given ${JSON.stringify(value)})`);
      return undefined;
    }
    const [fn, args] = entries[0];
    if (fn === 'Fn::Join' && Array.isArray(args) && typeof args[0] === 'string' && Array.isArray(args[1])) {
      const parts = (args[1] as unknown[]).map(part => this.string(part, stack, consumer, what));
      return parts.every(p => p !== undefined) ? parts.join(args[0]) : undefined;
    }
    if (fn === 'Ref' && typeof args === 'string') {
      if (args === 'AWS::Region') return tfExpression('var.region');
      if (args === 'AWS::AccountId') return tfExpression('var.project_id');
      return this.attribute(stack, args, undefined, consumer, what);
    }
    if (fn === 'Fn::GetAtt' && Array.isArray(args) && typeof args[0] === 'string' && typeof args[1] === 'string') {
      return this.attribute(stack, args[0], args[1], consumer, what);
    }
    this.refuse(consumer, `${what} uses ${fn} ${JSON.stringify(args)}, which has no Huawei Cloud equivalent`);
    return undefined;
  }

  private attribute(
    stack: string,
    logicalId: string,
    attribute: string | undefined,
    consumer: string,
    what: string,
  ): string | undefined {
    const resource = this.resource(stack, logicalId);
    const rendered = resource && this.rendered.get(`${resource.template}/${resource.logicalId}`);
    const target = attribute === undefined ? rendered?.ref : rendered?.attributes?.[attribute];
    if (rendered && target) return tfExpression(`${rendered.type}.${rendered.name}.${target}`);
    const named = resource ? `${resource.type} ${resource.path}` : logicalId;
    this.refuse(
      consumer,
      `${what} refers to ${attribute ? `the ${attribute} of ` : ''}${named}, which this target does not render ` +
        '(allowed: references to functions, SMN topics, OBS buckets and DIS streams, the region and the account)',
    );
    return undefined;
  }
}
