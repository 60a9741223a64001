import * as fs from 'fs';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

interface ValidationReport {
  readonly pluginReports: Array<{
    readonly violations: Array<{
      readonly ruleName: string;
      readonly violatingConstructs: Array<{ readonly constructPath?: string }>;
    }>;
  }>;
}

/**
 * `path rule` of every cdk-nag 3 AwsSolutions finding (errors and warnings) of an app, after synthesis: cdk-nag 3
 * is a validation plugin, whose findings stop the synthesis and are written to the policy validation report.
 */
export function nagFindings(app: App): string[] {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch (error) {
    if (!/Validation ?failed/i.test(String(error))) throw error;
  }
  const report = JSON.parse(
    fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf-8'),
  ) as ValidationReport;
  return report.pluginReports
    .flatMap(plugin =>
      plugin.violations.flatMap(violation =>
        violation.violatingConstructs.map(
          resource => `/${resource.constructPath ?? '?'} ${violation.ruleName.replace(/\[.*$/, '')}`,
        ),
      ),
    )
    .filter(finding => finding.includes('AwsSolutions-'));
}
