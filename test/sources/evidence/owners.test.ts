import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { readEvidenceBundle } from '../../../src/sources/evidence/read-bundle.js';

const ESTATE = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'owners', 'estate');
const REGION_DIR = 'aws/111122223333/eu-west-1';
const STACKS = `${REGION_DIR}/cloudformation-stacks.json`;
const RESOURCES = `${REGION_DIR}/cloudformation-resources-billing-roles.json`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function estate(): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-owner-evidence-'));
  dirs.push(dir);
  cpSync(ESTATE, dir, { recursive: true });
  return dir;
}

function edit(dir: string, file: string, change: (doc: Record<string, any>) => unknown): void {
  const path = join(dir, file);
  const doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;
  const replaced = change(doc);
  writeFileSync(path, JSON.stringify(replaced ?? doc));
}

function refusal(dir: string): InputError {
  try {
    readEvidenceBundle(dir);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('the bundle was read');
}

describe('owner evidence', () => {
  it('reads stacks, stack resources, templates, both Terraform state formats and role tags', () => {
    const inv = readEvidenceBundle(ESTATE);
    const owners = inv.owners;
    expect(owners?.stacks.map((s) => [s.name, s.status, s.region, s.accountId])).toEqual([
      ['billing-roles', 'UPDATE_ROLLBACK_FAILED', 'eu-west-1', '111122223333'],
      ['eksctl-c1-addon-iamserviceaccount-shop-cart', 'CREATE_COMPLETE', 'eu-west-1', '111122223333'],
    ]);
    expect(owners?.stackResources.map((r) => [r.stackName, r.logicalId, r.physicalId, r.type, r.status])).toEqual([
      ['billing-roles', 'InvoicerRole', 'billing-invoicer', 'AWS::IAM::Role', 'UPDATE_FAILED'],
      [
        'eksctl-c1-addon-iamserviceaccount-shop-cart',
        'Role1',
        'eksctl-c1-addon-iamserviceaccount-shop-cart-Role1-Q2T7XW9KJ0ZP',
        'AWS::IAM::Role',
        'CREATE_COMPLETE',
      ],
    ]);
    expect(owners?.templates.map((t) => [t.stackName, t.accountId, t.region])).toEqual([
      ['eksctl-c1-addon-iamserviceaccount-shop-cart', '111122223333', 'eu-west-1'],
    ]);
    expect(owners?.terraform.map((t) => [t.workspace, t.address, t.module, t.type])).toEqual([
      ['apps', 'aws_iam_role.legacy_contested', null, 'aws_iam_role'],
      ['apps', 'module.external_dns_irsa.aws_iam_role.this[0]', 'module.external_dns_irsa', 'aws_iam_role'],
      ['platform', 'module.load_balancer_controller_irsa_role.aws_iam_role.this[0]', 'module.load_balancer_controller_irsa_role', 'aws_iam_role'],
      ['platform', 'aws_iam_role.reports', null, 'aws_iam_role'],
      ['platform', 'aws_iam_role.contested', null, 'aws_iam_role'],
      ['platform', 'aws_iam_role.vpc_cni', null, 'aws_iam_role'],
      ['platform', 'module.eks.aws_eks_addon.this["vpc-cni"]', 'module.eks', 'aws_eks_addon'],
    ]);
    const eksctlRole = inv.roles.find((r) => r.name.startsWith('eksctl-'));
    expect(eksctlRole?.tags?.['alpha.eksctl.io/cluster-name']).toBe('c1');
    expect(eksctlRole?.tags?.['aws:cloudformation:logical-id']).toBe('Role1');
  });

  describe("recognises terraform-aws-modules' IRSA modules from their resources in the state", () => {
    const irsa = (dir: string) =>
      Object.fromEntries((readEvidenceBundle(dir).owners?.terraform ?? []).filter((t) => t.irsaModule).map((t) => [t.address, t.irsaModule]));
    const LB = 'module.load_balancer_controller_irsa_role.aws_iam_role.this[0]';
    const DNS = 'module.external_dns_irsa.aws_iam_role.this[0]';

    it('v5 iam-role-for-service-accounts-eks (raw state) and v6 iam-role-for-service-accounts (terraform show -json), and nothing else', () => {
      expect(irsa(ESTATE)).toEqual({ [LB]: 'iam-role-for-service-accounts-eks', [DNS]: 'iam-role-for-service-accounts' });
    });

    it('not a module whose role trusts pods.eks.amazonaws.com (the eks-pod-identity module has the same names)', () => {
      const d = estate();
      edit(d, 'terraform/apps.json', (doc) => {
        const role = doc.values.root_module.child_modules[0].resources[1];
        role.values.assume_role_policy = JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
        });
      });
      expect(irsa(d)).toEqual({ [LB]: 'iam-role-for-service-accounts-eks' });
    });

    it('not a module holding resources the IRSA modules never create', () => {
      const d = estate();
      edit(d, 'terraform/platform.tfstate', (doc) => {
        doc.resources.push({
          mode: 'managed',
          type: 'aws_eks_pod_identity_association',
          name: 'this',
          module: 'module.load_balancer_controller_irsa_role',
          provider: doc.resources[1].provider,
          instances: [{ schema_version: 0, attributes: { association_arn: 'arn:aws:eks:eu-west-1:111122223333:podidentityassociation/c1/a-1' } }],
        });
      });
      expect(irsa(d)).toEqual({ [DNS]: 'iam-role-for-service-accounts' });
    });

    it('not a module with child modules of its own: the IRSA modules have none, and removed {} of the call would make Terraform forget theirs too', () => {
      const d = estate();
      edit(d, 'terraform/platform.tfstate', (doc) => {
        doc.resources.push({
          mode: 'managed',
          type: 'aws_s3_bucket',
          name: 'this',
          module: 'module.load_balancer_controller_irsa_role.module.logs',
          provider: doc.resources[1].provider,
          instances: [{ schema_version: 0, attributes: { arn: 'arn:aws:s3:::lb-access-logs' } }],
        });
      });
      edit(d, 'terraform/apps.json', (doc) => {
        const irsaCall = doc.values.root_module.child_modules[0];
        irsaCall.child_modules = [
          {
            address: `${irsaCall.address}.module.queue`,
            resources: [
              {
                address: `${irsaCall.address}.module.queue.aws_sqs_queue.this`,
                mode: 'managed',
                type: 'aws_sqs_queue',
                name: 'this',
                provider_name: 'registry.terraform.io/hashicorp/aws',
                schema_version: 0,
                values: { arn: 'arn:aws:sqs:eu-west-1:111122223333:dns-events' },
              },
            ],
          },
        ];
      });
      expect(irsa(d)).toEqual({});
    });

    it("not a module without the trust document data source, or whose role is not the module's this[0]", () => {
      const d = estate();
      edit(d, 'terraform/platform.tfstate', (doc) => void (doc.resources[0].name = 'other'));
      edit(d, 'terraform/apps.json', (doc) => {
        const role = doc.values.root_module.child_modules[0].resources[1];
        role.name = 'irsa';
        role.address = 'module.external_dns_irsa.aws_iam_role.irsa[0]';
      });
      expect(irsa(d)).toEqual({});
    });
  });

  it("keeps a template's body in its key order; a JSON body given as text (the SDKs', collect's) is read as the CLI prints it, YAML stays text", () => {
    const TEMPLATE = `${REGION_DIR}/cloudformation-template-eksctl-c1-addon-iamserviceaccount-shop-cart.json`;
    const parsed = readEvidenceBundle(ESTATE).owners?.templates[0]?.body;
    expect(Object.keys(parsed as object)).toEqual(['AWSTemplateFormatVersion', 'Description', 'Resources', 'Outputs']);
    const dir = estate();
    edit(dir, TEMPLATE, (doc) => {
      doc.TemplateBody = JSON.stringify(doc.TemplateBody);
    });
    expect(readEvidenceBundle(dir).owners?.templates[0]?.body).toEqual(parsed);
    expect(JSON.stringify(readEvidenceBundle(dir).owners?.templates[0]?.body)).toBe(JSON.stringify(parsed));
    const yaml = 'AWSTemplateFormatVersion: "2010-09-09"\nResources: {}\n';
    edit(dir, TEMPLATE, (doc) => {
      doc.TemplateBody = yaml;
    });
    expect(readEvidenceBundle(dir).owners?.templates[0]?.body).toBe(yaml);
  });

  it('names workspaces by their path under terraform/', () => {
    const dir = estate();
    mkdirSync(join(dir, 'terraform', 'prod'));
    renameSync(join(dir, 'terraform', 'apps.json'), join(dir, 'terraform', 'prod', 'apps.json'));
    expect(new Set(readEvidenceBundle(dir).owners?.terraform.map((t) => t.workspace))).toEqual(new Set(['prod/apps', 'platform']));
  });

  it.each<[string, (dir: string) => void, string, RegExp]>([
    [
      'a stack ID that is not the ARN of that stack',
      (d) => {
        edit(d, STACKS, (doc) => void (doc.Stacks[0].StackId = 'arn:aws:cloudformation:eu-west-1:111122223333:stack/other/1'));
      },
      STACKS,
      /^\$\.Stacks\[0\]\.StackId is not the ARN of CloudFormation stack "eksctl-c1-addon-iamserviceaccount-shop-cart"/,
    ],
    [
      'a stack without a status',
      (d) => {
        edit(d, STACKS, (doc) => {
          delete doc.Stacks[1].StackStatus;
        });
      },
      STACKS,
      /^\$\.Stacks\[1\]\.StackStatus must be a non-empty string/,
    ],
    [
      'a stack name CloudFormation would not accept',
      (d) => {
        edit(d, STACKS, (doc) => {
          doc.Stacks[1].StackName = 'a$(reboot)';
          doc.Stacks[1].StackId = 'arn:aws:cloudformation:eu-west-1:111122223333:stack/a$(reboot)/1';
        });
      },
      STACKS,
      /^\$\.Stacks\[1\]\.StackName is not a CloudFormation stack name: "a\$\(reboot\)"/,
    ],
    [
      'a logical ID CloudFormation would not accept',
      (d) => {
        edit(d, RESOURCES, (doc) => {
          doc.StackResources[0].LogicalResourceId = 'Invoicer.Role';
        });
      },
      RESOURCES,
      /^\$\.StackResources\[0\]\.LogicalResourceId is not a CloudFormation logical ID/,
    ],
    [
      'a resource without a type',
      (d) => {
        edit(d, RESOURCES, (doc) => void (doc.StackResources[0].ResourceType = 7));
      },
      RESOURCES,
      /^\$\.StackResources\[0\]\.ResourceType must be a non-empty string/,
    ],
    [
      'list-stack-resources output, which names no stack',
      (d) => {
        edit(d, RESOURCES, (doc) => ({ StackResourceSummaries: doc.StackResources }));
      },
      RESOURCES,
      /describe-stack-resources --stack-name/,
    ],
    [
      'a template filed under a name that gives no stack',
      (d) => {
        renameSync(join(d, REGION_DIR, 'cloudformation-template-eksctl-c1-addon-iamserviceaccount-shop-cart.json'), join(d, REGION_DIR, 'template.json'));
      },
      `${REGION_DIR}/template.json`,
      /cloudformation-template-<stack>\.json/,
    ],
    [
      'a repeated role tag',
      (d) => {
        edit(d, 'aws/111122223333/iam-authorization-details.json', (doc) => {
          const tags = doc.RoleDetailList[0].Tags as unknown[];
          tags.push(tags[0]);
        });
      },
      'aws/111122223333/iam-authorization-details.json',
      /^\$\.RoleDetailList\[0\]\.Tags\[7\]\.Key repeats tag "alpha\.eksctl\.io\/cluster-name"/,
    ],
    [
      'a state outside terraform/',
      (d) => {
        renameSync(join(d, 'terraform', 'platform.tfstate'), join(d, 'platform.tfstate'));
      },
      'platform.tfstate',
      /must be under terraform\//,
    ],
    [
      'a state of format version 3',
      (d) => {
        edit(d, 'terraform/platform.tfstate', (doc) => void (doc.version = 3));
      },
      'terraform/platform.tfstate',
      /only Terraform state format version 4/,
    ],
    [
      'a raw state instance without attributes',
      (d) => {
        edit(d, 'terraform/platform.tfstate', (doc) => {
          delete doc.resources[1].instances[0].attributes;
        });
      },
      'terraform/platform.tfstate',
      /^\$\.resources\[1\]\.instances\[0\]\.attributes must be an object/,
    ],
    [
      'a module address that is not one',
      (d) => {
        edit(d, 'terraform/platform.tfstate', (doc) => void (doc.resources[1].module = 'module.x; rm -rf /'));
      },
      'terraform/platform.tfstate',
      /^\$\.resources\[1\]\.module is not a module address/,
    ],
    [
      'a shown resource whose address does not match its parts',
      (d) => {
        edit(d, 'terraform/apps.json', (doc) => void (doc.values.root_module.child_modules[0].resources[1].address = 'aws_iam_role.elsewhere'));
      },
      'terraform/apps.json',
      /^\$\.values\.root_module\.child_modules\[0\]\.resources\[1\]\.address is "aws_iam_role\.elsewhere", but .* make "module\.external_dns_irsa\.aws_iam_role\.this\[0\]"/,
    ],
    [
      'terraform show -json of a plan',
      (d) => {
        edit(d, 'terraform/apps.json', (doc) => ({ ...doc, planned_values: doc.values, resource_changes: [] }));
      },
      'terraform/apps.json',
      /of a plan/,
    ],
    [
      'two states of one workspace',
      (d) => {
        cpSync(join(d, 'terraform', 'platform.tfstate'), join(d, 'terraform', 'platform.json'));
      },
      'terraform/platform.tfstate',
      /a second state of workspace "platform"/,
    ],
  ])('refuses %s, naming the file and the path', (_, breakIt, file, message) => {
    const dir = estate();
    breakIt(dir);
    const e = refusal(dir);
    expect(e.file).toBe(join(dir, file));
    expect(e.message).toMatch(message);
  });
});
