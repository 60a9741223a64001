import { TargetMappingError, TargetRefusal } from '../errors';
import { followLinks, resourceAt, type AppModel } from './app-model';
import { HUAWEI, HuaweiRenderOptions, renderTerraform, terraformNameOf, TerraformRendering } from './render-terraform';
import { renderWorkflow, WorkflowBody } from './render-workflow';

/** One flow as a FunctionGraph workflow: the CreateWorkflow body, with `${<output>}` placeholders for URNs. */
export interface RenderedWorkflow {
  /** The flow's construct path. */
  readonly path: string;
  /** The file name, e.g. `Documents-Flow.workflow.json`. */
  readonly file: string;
  readonly body: WorkflowBody;
}

/** An app rendered for Huawei Cloud: the Terraform configuration, its code assets and the workflows. */
export interface HuaweiRendering extends TerraformRendering {
  readonly workflows: RenderedWorkflow[];
}

/**
 * Renders a synthesized app for Huawei Cloud: Terraform JSON for its infrastructure and a CreateWorkflow body per
 * flow. Every refusal of both is reported at once, in one {@link TargetMappingError}.
 */
export function renderHuaweiApp(model: AppModel, options: HuaweiRenderOptions = {}): HuaweiRendering {
  const refusals: TargetRefusal[] = [];
  let terraform: TerraformRendering | undefined;
  try {
    terraform = renderTerraform(model, options);
  } catch (error) {
    if (!(error instanceof TargetMappingError)) throw error;
    refusals.push(...error.refusals);
  }
  const excluded = (path: string) => (options.exclude ?? []).some(e => path === e || path.startsWith(`${e}/`));
  const stackCount = new Set(model.resources.map(r => r.stack)).size;
  const workflows: RenderedWorkflow[] = [];
  for (const flow of model.flows.filter(f => !excluded(f.path))) {
    // The flow's definition is written in its state machine's template; a function nested elsewhere is an output.
    const template =
      model.resources.find(r => r.path.startsWith(`${flow.path}/`) && r.type === 'AWS::StepFunctions::StateMachine')
        ?.template ?? flow.path.split('/')[0];
    const functionOf = (given: unknown): string | undefined => {
      const { value, template: at } = followLinks(model, template, given);
      const getAtt = (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
      const lambda = getAtt && resourceAt(model, at, getAtt[0]);
      return lambda?.type === 'AWS::Lambda::Function'
        ? terraformNameOf(lambda.path.replace(/\/Function\/Resource$/, ''), stackCount)
        : undefined;
    };
    const name = flow.path
      .split('/')
      .slice(stackCount > 1 ? 0 : 1)
      .join('-')
      .replace(/[^_a-zA-Z0-9().-]/g, '_');
    const rendered = renderWorkflow(flow, name.slice(0, 64), functionOf);
    refusals.push(...rendered.refusals);
    const triggers = model.triggers.filter(t => t.functionPath === `${flow.path}/Starter`);
    const workflowTriggers: NonNullable<WorkflowBody['triggers']> = [];
    for (const trigger of triggers) {
      const bucket = trigger.sourcePath && terraformNameOf(trigger.sourcePath, stackCount);
      const { prefix, suffix, events } = trigger.settings as { prefix?: string; suffix?: string; events: string[] };
      if (trigger.kind !== 'obs' || !prefix || !suffix) {
        refusals.push({
          constructPath: flow.path,
          message:
            trigger.kind !== 'obs'
              ? `the flow's ${trigger.kind.toUpperCase()} trigger has no documented workflow trigger form (allowed: OBS triggers)`
              : "the flow's OBS trigger needs both a prefix and a suffix, as a workflow's OBS trigger does (allowed: 1 to 64 characters each)",
        });
        continue;
      }
      workflowTriggers.push({
        trigger_name: `${name}-obs-${workflowTriggers.length + 1}`,
        trigger_type: 'OBS',
        enabled: true,
        trigger_config: {
          bucket: `\${${bucket}_bucket}`,
          events: events.map(e => e.replace(/^s3:/, '')),
          prefix,
          suffix,
        },
      });
    }
    if (rendered.body) {
      workflows.push({
        path: flow.path,
        file: `${name}.workflow.json`,
        body: workflowTriggers.length > 0 ? { ...rendered.body, triggers: workflowTriggers } : rendered.body,
      });
    }
  }
  if (refusals.length > 0 || !terraform) throw new TargetMappingError(HUAWEI, refusals);
  return { ...terraform, workflows };
}
