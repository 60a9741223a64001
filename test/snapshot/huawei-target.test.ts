import { renderHuaweiApp } from '../../lib/huawei/render-app';
import { everyTriggerApp, synthesized } from '../unit/huawei/huawei-app';

// The Huawei target's output for an app with every mapped trigger and a flow: Terraform JSON and the workflow body.
// Nothing in it depends on the machine (code packages are named after functions, not asset hashes).
test('Huawei target: Terraform JSON and FunctionGraph workflow', () => {
  const rendering = renderHuaweiApp(synthesized(everyTriggerApp), {
    kafkaInstanceId: 'kafka-1',
    apigInstanceId: 'apig-1',
  });
  expect(rendering.config).toMatchSnapshot();
  expect(rendering.workflows).toMatchSnapshot();
});
