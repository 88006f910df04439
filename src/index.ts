export { readEvidenceBundle } from './sources/evidence/read-bundle.js';
export { analyze, type Analysis } from './analysis/index.js';
export { plan, type PlanOptions } from './plan/plan.js';
export {
  PLAN_EMITTERS,
  REPORT_CHUNKS,
  REPORT_EMITTERS,
  reportSarif,
  reportSarifChunks,
  type PlanFormat,
  type Emitter,
  type EmitOptions,
  type EmittedFile,
  type Rendered,
  type ReportEmitter,
  type ReportFormat,
  type SarifOptions,
} from './emit/index.js';
export { InputError } from './errors.js';
export type * from './model/inventory.js';
export type { OwnerEvidence, CloudFormationStack, CloudFormationResource, CloudFormationTemplate, TerraformResource } from './model/owners.js';
export type * from './plan/model.js';
export type { Finding, Severity, RuleInfo, RuleKind, CatalogueEntry, FindingGroup } from './findings/model.js';
export { AUDIT_RULES, CATALOGUE, catalogueEntry } from './findings/catalogue.js';
export { groupFindings } from './findings/merge.js';
export { PLANNING_RULES } from './findings/planning-rules.js';
export { evaluateTrust, type Tri, type Decision, type AssumeRequest } from './iam/evaluate.js';
export { normalizeStatements, type PolicyDocument, type RawStatement } from './iam/policy.js';
export { irsaRequest, podIdentityRequest, chainRequest, type Identity } from './iam/requests.js';
export { audit, mergeFindings, RULES, RULE_CATALOGUE, RULE_ERROR, RuleContext, type Rule, type AuditOptions } from './rules/index.js';
export { buildReport, REPORT_SCHEMA_VERSION, type ReportOptions } from './report/index.js';
export type { Report, ReportCluster, RoleMapping, Mechanism } from './report/model.js';
