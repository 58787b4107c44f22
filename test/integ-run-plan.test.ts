// `npm run integ:cli` (scripts/integ.ts) runs the integration test with the CDK CLI while integ-runner cannot read
// what aws-cdk-lib 2.276 synthesizes. What it runs follows from integ.json as integ-runner's runIntegTestCase would
// (hooks, deploy, assertion stack, destroy unless disabled); this checks that plan without an AWS account.
import * as fs from 'fs';
import * as path from 'path';
import { IntegManifest, planTestCase } from '../scripts/integ';

describe('the CDK CLI run of the integration test', () => {
  test('runs the committed test cases in order: deploy and assert 1 to 2 units, keep the stack, deploy the change and assert, destroy, check STOPPED', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, 'integ', 'integ.model.ts.snapshot', 'integ.json'), 'utf8')) as IntegManifest;
    const plans = Object.entries(manifest.testCases).map(([name, testCase]) => planTestCase(name, testCase));
    const start = 'CustomLabelsModel/DefaultTest';
    const change = 'ChangeUnits/ChangeUnitsTestCase';
    expect(plans).toEqual([
      {
        run: [
          { kind: 'deploy', testCase: start, stacks: ['Start'] },
          { kind: 'assert', testCase: start, stack: `${start}/DeployAssert`, stackName: 'CustomLabelsModelDefaultTestDeployAssert23F1B572' },
        ],
        destroy: [],
      },
      {
        run: [
          { kind: 'deploy', testCase: change, stacks: ['ChangeUnits'] },
          { kind: 'assert', testCase: change, stack: `${change}/DeployAssert`, stackName: 'ChangeUnitsChangeUnitsTestCaseDeployAssertE348370E' },
        ],
        destroy: [
          { kind: 'destroy', testCase: change },
          { kind: 'hook', testCase: change, when: 'postDestroy', command: 'node -r ts-node/register/transpile-only assert-stopped.ts' },
        ],
      },
    ]);
  });

  test('puts every hook where integ-runner runs it', () => {
    const plan = planTestCase('t', {
      stacks: ['A', 'B'],
      hooks: { preDeploy: ['pre-deploy'], postDeploy: ['post-deploy'], preDestroy: ['pre-destroy'], postDestroy: ['post-destroy'] },
    });
    const label = (s: (typeof plan.run)[number]) => (s.kind === 'hook' ? s.command : s.kind);
    expect(plan.run.map(label)).toEqual(['pre-deploy', 'deploy', 'post-deploy']);
    expect(plan.destroy.map(label)).toEqual(['pre-destroy', 'destroy', 'post-destroy']);
  });
});
