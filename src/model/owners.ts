/** Who manages a role, an association or an add-on, so that changes go through it. */
export type Owner =
  | {
      readonly kind: 'cloudformation';
      readonly stack: string;
      readonly logicalId: string;
    }
  | {
      readonly kind: 'eksctl';
      readonly stack: string;
      readonly cluster: string;
    }
  | {
      readonly kind: 'terraform';
      /** The workspace the state came from: the state file's path under `terraform/`, without its extension. */
      readonly workspace: string;
      /** The resource instance's address, e.g. `module.irsa.aws_iam_role.this[0]`. */
      readonly address: string;
      /** The address of the module call holding it; null at the root module. */
      readonly module: string | null;
      /** The terraform-aws-modules IRSA module that created the role, recognised from its resources in the state. */
      readonly irsaModule?: IrsaModule;
      /** For such a role: the root module's provider configuration it uses, `aws` or `aws.<alias>`, when the state records it (a raw state does, `terraform show -json` does not). */
      readonly provider?: string;
    }
  | { readonly kind: 'unmanaged' };

/**
 * terraform-aws-modules' IRSA role modules (terraform-aws-iam): v5 `iam-role-for-service-accounts-eks`
 * and v6 `iam-role-for-service-accounts`. Neither takes extra trust statements.
 */
export type IrsaModule = 'iam-role-for-service-accounts-eks' | 'iam-role-for-service-accounts';

/** A CloudFormation stack (`describe-stacks` or `list-stacks`). */
export interface CloudFormationStack {
  readonly stackId: string;
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  /** `StackStatus`, e.g. `CREATE_COMPLETE`, `UPDATE_ROLLBACK_FAILED`. */
  readonly status: string;
  /** `RootId` of a nested stack (else `ParentId`): the stack whose updates rewrite this one's template; undefined for a top-level stack. */
  readonly rootStackId?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly source: string;
}

/** A resource of a CloudFormation stack (`describe-stack-resources`). */
export interface CloudFormationResource {
  readonly stackId: string;
  readonly stackName: string;
  readonly accountId: string;
  readonly region: string;
  readonly logicalId: string;
  /** The resource's name or ID: a role's name, an association's ARN. */
  readonly physicalId: string | undefined;
  readonly type: string;
  readonly status: string | undefined;
  readonly source: string;
}

/** A stack's template as `get-template` gives it, for building a change set later. */
export interface CloudFormationTemplate {
  readonly stackName: string;
  readonly accountId: string;
  readonly region: string;
  /** `TemplateBody`: the parsed template of a JSON template (keys in the template's order), the text of a YAML one. */
  readonly body: Readonly<Record<string, unknown>> | string;
  readonly source: string;
}

/** One managed resource instance of a Terraform state, reduced to what tells which AWS object it is. */
export interface TerraformResource {
  readonly workspace: string;
  readonly address: string;
  readonly module: string | null;
  readonly type: string;
  /** `arn` (a role, an add-on) or `association_arn` (a Pod Identity association). */
  readonly arn: string | undefined;
  /** For the role of a terraform-aws-modules IRSA module instance: which module. */
  readonly irsaModule?: IrsaModule;
  /** For such a role: the root module's provider configuration, `aws` or `aws.<alias>`, when the state records it (raw state only). */
  readonly provider?: string;
  readonly source: string;
}

/** What was collected about owners: CloudFormation and Terraform state. */
export interface OwnerEvidence {
  readonly stacks: readonly CloudFormationStack[];
  readonly stackResources: readonly CloudFormationResource[];
  readonly templates: readonly CloudFormationTemplate[];
  readonly terraform: readonly TerraformResource[];
}
