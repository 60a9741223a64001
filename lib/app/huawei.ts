import * as fs from 'fs';
import * as path from 'path';
import { readAppModel } from '../huawei/app-model';
import { HuaweiRendering, renderHuaweiApp } from '../huawei/render-app';
import type { HuaweiRenderOptions } from '../huawei/render-terraform';
import { zipFolder } from '../zip';
import { DeployTarget, targetContext } from '../target';
import { synthesizeApp } from './synth';

/** Options of {@link synthesizeHuawei}. */
export interface HuaweiSynthOptions extends HuaweiRenderOptions {
  /** The folder of cdk.json. */
  readonly projectDir: string;
  /** Where the cloud assembly goes; the Huawei output is its `huawei/` folder. @default `<projectDir>/cdk.out` */
  readonly outdir?: string;
  /** Synthesize without building code (no code packages are written). @default false */
  readonly skipBuilds?: boolean;
}

/** What {@link writeHuaweiTarget} wrote. */
export interface HuaweiOutput {
  /** The folder: `<cloud assembly>/huawei`. */
  readonly dir: string;
  /** The Terraform configuration, `main.tf.json`. */
  readonly terraformFile: string;
  readonly workflowFiles: string[];
  /** The code packages zipped into `code/`. */
  readonly codeFiles: string[];
  readonly rendering: HuaweiRendering;
}

/**
 * Renders a synthesized cloud assembly for Huawei Cloud into `<assembly>/huawei`: `main.tf.json`, a
 * `workflows/<flow>.workflow.json` per flow and the functions' code zipped into `code/` (when it was built).
 */
export function writeHuaweiTarget(assemblyDir: string, options: HuaweiRenderOptions = {}): HuaweiOutput {
  const rendering = renderHuaweiApp(readAppModel(assemblyDir), options);
  const dir = path.join(assemblyDir, 'huawei');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'workflows'), { recursive: true });
  const terraformFile = path.join(dir, 'main.tf.json');
  fs.writeFileSync(terraformFile, `${JSON.stringify(rendering.config, null, 2)}\n`);
  const workflowFiles = rendering.workflows.map(workflow => {
    const file = path.join(dir, 'workflows', workflow.file);
    fs.writeFileSync(file, `${JSON.stringify(workflow.body, null, 2)}\n`);
    return file;
  });
  const codeFiles: string[] = [];
  for (const asset of rendering.assets) {
    const source = path.resolve(assemblyDir, asset.assetDir);
    if (!fs.existsSync(source) || fs.readdirSync(source).length === 0) continue;
    const zip = path.join(dir, asset.zipFile);
    zipFolder(source, zip);
    codeFiles.push(zip);
  }
  return { dir, terraformFile, workflowFiles, codeFiles, rendering };
}

/**
 * `stagegraph synth --target huawei`: synthesizes the app with the `stagegraph:target` context set to `huawei`
 * (building its code unless `skipBuilds`), then writes the Huawei Cloud output next to the CloudFormation templates.
 */
export async function synthesizeHuawei(options: HuaweiSynthOptions): Promise<HuaweiOutput> {
  const { assemblyDir } = await synthesizeApp({
    projectDir: options.projectDir,
    outdir: options.outdir,
    skipBuilds: options.skipBuilds,
    context: targetContext(DeployTarget.HUAWEI),
  });
  return writeHuaweiTarget(assemblyDir, options);
}
