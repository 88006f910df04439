/**
 * The CloudFormation part of a bundle, per account and region: the stacks (`describe-stacks`), each
 * live stack's resources (`describe-stack-resources`) and, for a stack that holds an IAM role, its
 * template (`get-template`), shaped as the AWS CLI prints them.
 * @module
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { toCliJson } from './cli-json.js';
import { pageTokenGuard } from './page-tokens.js';

type Json = Record<string, unknown>;

/** One CLI-shaped file of the CloudFormation evidence, by its name in `aws/<account>/<region>/`. */
export interface CloudFormationFile {
  readonly name: string;
  readonly doc: Json;
}

/** What one region's CloudFormation holds: its account (from the stack IDs; undefined with no stack) and its files. */
export interface CloudFormationEvidence {
  readonly accountId: string | undefined;
  readonly files: readonly CloudFormationFile[];
}

const STACK_ID = /^arn:[^:]+:cloudformation:[^:]*:(\d{12}):stack\//;
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/** Reads a region's stacks; a stack being deleted is skipped, a stack whose name is not one is refused. */
export async function collectCloudFormation(cfn: CloudFormationClient): Promise<CloudFormationEvidence> {
  const { DescribeStacksCommand, DescribeStackResourcesCommand, GetTemplateCommand } = await import('@aws-sdk/client-cloudformation');
  const stacks: Json[] = [];
  const next = pageTokenGuard('DescribeStacks');
  let token: string | undefined;
  do {
    const page = await cfn.send(new DescribeStacksCommand({ NextToken: token }));
    stacks.push(...(page.Stacks ?? []).map((s) => toCliJson(s) as Json));
    token = next(page.NextToken);
  } while (token);
  const live = stacks.filter((s) => s.StackStatus !== 'DELETE_COMPLETE' && s.StackStatus !== 'DELETE_IN_PROGRESS');
  const accountId = live.map((s) => STACK_ID.exec(String(s.StackId))?.[1]).find((a) => a !== undefined);
  const files: CloudFormationFile[] = [{ name: 'cloudformation-stacks.json', doc: { Stacks: live } }];
  for (const stack of live) {
    const name = String(stack.StackName);
    if (!STACK_NAME.test(name)) throw new Error(`DescribeStacks: ${JSON.stringify(name.slice(0, 80))} is not a stack name`);
    const resources = await cfn.send(new DescribeStackResourcesCommand({ StackName: String(stack.StackId) }));
    const list = (resources.StackResources ?? []).map((r) => toCliJson(r) as Json);
    files.push({ name: `cloudformation-resources-${name}.json`, doc: { StackResources: list } });
    if (!list.some((r) => r.ResourceType === 'AWS::IAM::Role')) continue;
    const template = await cfn.send(new GetTemplateCommand({ StackName: String(stack.StackId), TemplateStage: 'Original' }));
    files.push({ name: `cloudformation-template-${name}.json`, doc: toCliJson(template) as Json });
  }
  return { accountId, files };
}
