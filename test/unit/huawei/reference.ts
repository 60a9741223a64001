import * as fs from 'fs';
import * as path from 'path';
import type { ProviderSchema } from '../../../lib/huawei/provider-schema';
import type { WorkflowSchema } from '../../../lib/huawei/validate-workflow';

/** The reference data from the huaweicloud/huaweicloud provider (see its README): the oracle of these tests. */
export const REFERENCE_DIR = path.join(__dirname, '..', '..', 'fixtures', 'huaweicloud');

/** The provider's schema extract. */
export const PROVIDER_SCHEMA = JSON.parse(
  fs.readFileSync(path.join(REFERENCE_DIR, 'provider-schema.json'), 'utf-8'),
) as ProviderSchema;

/** The trigger type codes and their `event_data` keys. */
export const TRIGGER_TYPES = JSON.parse(
  fs.readFileSync(path.join(REFERENCE_DIR, 'fgs-trigger-types.json'), 'utf-8'),
) as {
  readonly trigger_types: Record<
    string,
    { readonly event_data: Record<string, { readonly required?: boolean | null; readonly values?: string[] }> | null }
  >;
};

/** The CreateWorkflow body models of Huawei's SDKs, with the API definition's lengths, ranges and patterns. */
export const WORKFLOW_SCHEMA = JSON.parse(
  fs.readFileSync(path.join(REFERENCE_DIR, 'fgs-workflow-states.json'), 'utf-8'),
) as WorkflowSchema;
