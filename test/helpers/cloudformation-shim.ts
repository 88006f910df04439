/**
 * A loopback front that serves the CloudFormation calls a trust change through a stack makes — DescribeStacks,
 * ListStacks, ListStackResources, DescribeStackResources, GetTemplate, CreateChangeSet, DescribeChangeSet,
 * ExecuteChangeSet, DeleteChangeSet — shaped from the `cloudformation/2010-05-15` awsquery model, and forwards
 * every other request to the endpoint behind it (moto, or the EKS shim in front of moto).
 *
 * moto's own CloudFormation is not used: its change set for a changed `AssumeRolePolicyDocument` says `Add`,
 * executing it changes nothing, and `update-stack` creates a second role. Here a stack is seeded by the test
 * with its template and the physical ids of its resources; a change set compares templates resource by resource
 * the way CloudFormation documents it (`Modify` with one detail per changed property, `AssumeRolePolicyDocument`
 * of `AWS::IAM::Role` updated in place with `RequiresRecreation: Never`); executing one applies the new trust to
 * the role in moto's IAM (`UpdateAssumeRolePolicy`) and makes the new template the stack's. Changes the shim
 * cannot apply for real (any other property or resource) fail the execution rather than pretend.
 * @module
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { readBody } from './http.js';
import { sdkConfig } from './moto.js';

/** A resource of a seeded stack: its logical id, type and the physical id CloudFormation gave it. */
export interface ShimStackResource {
  logicalId: string;
  type: string;
  physicalId: string;
}

/** Input of {@link CloudFormationShim.seedStack}. */
export interface SeedStackInput {
  name: string;
  region?: string;
  /** The template as JSON (eksctl's stacks are JSON). */
  template: Record<string, unknown>;
  resources: ShimStackResource[];
  status?: string;
  tags?: Record<string, string>;
  /** The stack's parameter values (DescribeStacks `Parameters`); a change set must give each, by value or `UsePreviousValue`. */
  parameters?: Record<string, string>;
  /**
   * Changes every change set of the stack lists besides the template's own: what a parameter resolved anew
   * (an SSM parameter type) or a dynamic reference brings to an update.
   */
  dynamicChanges?: ShimResourceChange[];
}

/** A change of a change set, as DescribeChangeSet lists it. */
export interface ShimResourceChange {
  action: 'Add' | 'Modify' | 'Remove';
  logicalId: string;
  type: string;
  physicalId?: string;
  replacement: 'True' | 'False' | 'Conditional';
  details: { name: string; requiresRecreation: 'Never' | 'Always' | 'Conditionally' }[];
}

/** A stack kept by the shim. */
export interface ShimStack {
  name: string;
  id: string;
  region: string;
  status: string;
  template: Record<string, unknown>;
  resources: ShimStackResource[];
  tags: Record<string, string>;
  parameters: Record<string, string>;
  dynamicChanges: ShimResourceChange[];
  createdAt: Date;
  updatedAt?: Date;
}

/** A change set kept by the shim. */
export interface ShimChangeSet {
  name: string;
  id: string;
  stack: ShimStack;
  template: Record<string, unknown>;
  status: 'CREATE_COMPLETE' | 'FAILED';
  statusReason?: string;
  executionStatus: 'AVAILABLE' | 'UNAVAILABLE' | 'EXECUTE_IN_PROGRESS' | 'EXECUTE_COMPLETE' | 'EXECUTE_FAILED' | 'OBSOLETE';
  changes: ShimResourceChange[];
  capabilities: string[];
  createdAt: Date;
}

/** The shim's state; tests may read it. */
export interface CloudFormationShimState {
  /** Keyed by `${region}/${stackName}`. */
  stacks: Map<string, ShimStack>;
  /** Keyed by change set id (ARN). */
  changeSets: Map<string, ShimChangeSet>;
  /** Every CloudFormation action the shim answered: action, region, parameters. */
  requests: { action: string; region: string; params: Record<string, string> }[];
}

/** Options of {@link startCloudFormationShim}. */
export interface StartCloudFormationShimOptions {
  /** Where every request the shim does not answer goes (moto or the EKS shim). */
  upstream: string;
  /** moto's endpoint, for the IAM calls an execution makes. */
  motoEndpoint: string;
  accountId: string;
  /** How long a stack stays `UPDATE_IN_PROGRESS` after ExecuteChangeSet (default 0). */
  updateMs?: number;
}

/** A running shim. */
export interface CloudFormationShim {
  endpoint: string;
  state: CloudFormationShimState;
  seedStack(input: SeedStackInput): ShimStack;
  /** Forgets every stack, change set and request. */
  clear(): void;
  stop(): Promise<void>;
}

const XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const HANDLED = new Set([
  'DescribeStacks',
  'ListStacks',
  'ListStackResources',
  'DescribeStackResources',
  'GetTemplate',
  'CreateChangeSet',
  'DescribeChangeSet',
  'ExecuteChangeSet',
  'DeleteChangeSet',
]);
const UPDATABLE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE']);
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);
/** Properties of `AWS::IAM::Role` whose change replaces the role (CloudFormation's resource reference). */
const ROLE_REPLACING = new Set(['RoleName', 'Path']);
const NO_CHANGES = "The submitted information didn't contain changes. Submit different information to create a change set.";

class QueryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function xml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function element(name: string, value: string | number | undefined): string {
  return value === undefined ? '' : `<${name}>${xml(String(value))}</${name}>`;
}

function members(name: string, items: readonly string[]): string {
  return `<${name}>${items.map((i) => `<member>${i}</member>`).join('')}</${name}>`;
}

function serviceOf(auth: string | undefined): { service?: string; region: string } {
  const m = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth ?? '');
  return { service: m?.[2], region: m?.[1] ?? 'us-east-1' };
}

function listParam(params: URLSearchParams, name: string): string[] {
  const out: string[] = [];
  for (let i = 1; params.has(`${name}.member.${i}`); i++) out.push(params.get(`${name}.member.${i}`) ?? '');
  return out;
}

function resourcesOf(template: Record<string, unknown>): Record<string, { Type?: unknown; Properties?: Record<string, unknown> }> {
  const r = template.Resources;
  if (typeof r !== 'object' || r === null || Array.isArray(r))
    throw new QueryError(400, 'ValidationError', 'Template format error: At least one Resources member must be defined.');
  return r as Record<string, { Type?: unknown; Properties?: Record<string, unknown> }>;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The changes CloudFormation lists between two templates: resources added, removed, or modified property by property. */
export function templateChanges(stack: ShimStack, next: Record<string, unknown>): ShimResourceChange[] {
  const before = resourcesOf(stack.template);
  const after = resourcesOf(next);
  const changes: ShimResourceChange[] = [];
  for (const [logicalId, res] of Object.entries(after)) {
    const type = String(res.Type);
    const old = before[logicalId];
    if (!old) {
      changes.push({ action: 'Add', logicalId, type, replacement: 'False', details: [] });
      continue;
    }
    const physicalId = stack.resources.find((r) => r.logicalId === logicalId)?.physicalId;
    const props = new Set([...Object.keys(old.Properties ?? {}), ...Object.keys(res.Properties ?? {})]);
    const details = [...props]
      .filter((p) => !same(old.Properties?.[p], res.Properties?.[p]))
      .sort()
      .map((name) => ({ name, requiresRecreation: type === 'AWS::IAM::Role' && ROLE_REPLACING.has(name) ? ('Always' as const) : ('Never' as const) }));
    if (String(old.Type) !== type) changes.push({ action: 'Modify', logicalId, type, ...(physicalId ? { physicalId } : {}), replacement: 'True', details });
    else if (details.length > 0) {
      const replacement = details.some((d) => d.requiresRecreation === 'Always') ? 'True' : 'False';
      changes.push({ action: 'Modify', logicalId, type, ...(physicalId ? { physicalId } : {}), replacement, details });
    }
  }
  for (const [logicalId, res] of Object.entries(before)) {
    if (!(logicalId in after)) {
      const physicalId = stack.resources.find((r) => r.logicalId === logicalId)?.physicalId;
      changes.push({ action: 'Remove', logicalId, type: String(res.Type), ...(physicalId ? { physicalId } : {}), replacement: 'False', details: [] });
    }
  }
  return changes;
}

function needsIamCapability(template: Record<string, unknown>): boolean {
  return Object.values(resourcesOf(template)).some((r) => typeof r.Type === 'string' && r.Type.startsWith('AWS::IAM::'));
}

/** Starts the shim on a loopback port. */
export async function startCloudFormationShim(opts: StartCloudFormationShimOptions): Promise<CloudFormationShim> {
  const upstream = new URL(opts.upstream);
  const state: CloudFormationShimState = { stacks: new Map(), changeSets: new Map(), requests: [] };
  const iamFor = (region: string) => new IAMClient(sdkConfig(opts.motoEndpoint, region));
  const stackArn = (region: string, name: string) => `arn:aws:cloudformation:${region}:${opts.accountId}:stack/${name}/${randomUUID()}`;

  function stackOf(region: string, nameOrId: string | null): ShimStack {
    if (!nameOrId) throw new QueryError(400, 'ValidationError', 'StackName is required');
    for (const s of state.stacks.values()) if (s.region === region && (s.name === nameOrId || s.id === nameOrId)) return s;
    throw new QueryError(400, 'ValidationError', `Stack with id ${nameOrId} does not exist`);
  }

  function changeSetOf(region: string, params: URLSearchParams): ShimChangeSet {
    const ref = params.get('ChangeSetName');
    if (!ref) throw new QueryError(400, 'ValidationError', 'ChangeSetName is required');
    const byId = state.changeSets.get(ref);
    if (byId) return byId;
    if (ref.startsWith('arn:')) throw new QueryError(404, 'ChangeSetNotFound', `ChangeSet [${ref}] does not exist`);
    const stack = stackOf(region, params.get('StackName'));
    for (const c of state.changeSets.values()) if (c.stack === stack && c.name === ref) return c;
    throw new QueryError(404, 'ChangeSetNotFound', `ChangeSet [${ref}] does not exist`);
  }

  function stackXml(s: ShimStack): string {
    return (
      element('StackName', s.name) +
      element('StackId', s.id) +
      element('StackStatus', s.status) +
      element('CreationTime', s.createdAt.toISOString()) +
      element('LastUpdatedTime', s.updatedAt?.toISOString()) +
      (Object.keys(s.parameters).length
        ? members(
            'Parameters',
            Object.entries(s.parameters).map(([k, v]) => element('ParameterKey', k) + element('ParameterValue', v)),
          )
        : '') +
      members(
        'Tags',
        Object.entries(s.tags).map(([k, v]) => element('Key', k) + element('Value', v)),
      )
    );
  }

  function resourceXml(s: ShimStack, r: ShimStackResource, timeTag: string): string {
    return (
      element('LogicalResourceId', r.logicalId) +
      element('PhysicalResourceId', r.physicalId) +
      element('ResourceType', r.type) +
      element('ResourceStatus', s.updatedAt ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE') +
      element(timeTag, (s.updatedAt ?? s.createdAt).toISOString())
    );
  }

  function settle(stack: ShimStack): void {
    if (stack.status === 'UPDATE_IN_PROGRESS' && stack.updatedAt && Date.now() - stack.updatedAt.getTime() >= (opts.updateMs ?? 0)) {
      stack.status = 'UPDATE_COMPLETE';
    }
  }

  async function execute(change: ShimChangeSet): Promise<void> {
    const { stack } = change;
    const after = resourcesOf(change.template);
    for (const c of change.changes) {
      const trustOnly = c.action === 'Modify' && c.type === 'AWS::IAM::Role' && c.details.length === 1 && c.details[0]?.name === 'AssumeRolePolicyDocument';
      if (!trustOnly)
        throw new QueryError(
          500,
          'InternalFailure',
          `the shim applies only AssumeRolePolicyDocument of AWS::IAM::Role; ${c.action} ${c.logicalId} is not modelled`,
        );
    }
    for (const c of change.changes) {
      const doc = after[c.logicalId]?.Properties?.AssumeRolePolicyDocument;
      if (!c.physicalId) throw new QueryError(500, 'InternalFailure', `no physical id for ${c.logicalId}`);
      const text = JSON.stringify(doc);
      if (/"(Fn::[A-Za-z]+|Ref)"/.test(text)) throw new QueryError(500, 'InternalFailure', `the shim does not resolve intrinsic functions in ${c.logicalId}`);
      await iamFor(stack.region).send(new UpdateAssumeRolePolicyCommand({ RoleName: c.physicalId, PolicyDocument: text }));
    }
    stack.template = change.template;
    stack.status = 'UPDATE_IN_PROGRESS';
    stack.updatedAt = new Date();
    change.executionStatus = 'EXECUTE_COMPLETE';
    for (const other of state.changeSets.values()) if (other.stack === stack && other !== change) other.executionStatus = 'OBSOLETE';
    settle(stack);
  }

  async function handle(action: string, region: string, params: URLSearchParams): Promise<string> {
    switch (action) {
      case 'DescribeStacks': {
        const name = params.get('StackName');
        const stacks = name ? [stackOf(region, name)] : [...state.stacks.values()].filter((s) => s.region === region);
        stacks.forEach(settle);
        return members(
          'Stacks',
          stacks.map((s) => stackXml(s)),
        );
      }
      case 'ListStacks': {
        const filter = listParam(params, 'StackStatusFilter');
        const stacks = [...state.stacks.values()].filter((s) => s.region === region);
        stacks.forEach(settle);
        return members(
          'StackSummaries',
          stacks
            .filter((s) => filter.length === 0 || filter.includes(s.status))
            .map(
              (s) =>
                element('StackName', s.name) + element('StackId', s.id) + element('StackStatus', s.status) + element('CreationTime', s.createdAt.toISOString()),
            ),
        );
      }
      case 'ListStackResources': {
        const s = stackOf(region, params.get('StackName'));
        return members(
          'StackResourceSummaries',
          s.resources.map((r) => resourceXml(s, r, 'LastUpdatedTimestamp')),
        );
      }
      case 'DescribeStackResources': {
        const s = stackOf(region, params.get('StackName'));
        const logical = params.get('LogicalResourceId');
        return members(
          'StackResources',
          s.resources
            .filter((r) => !logical || r.logicalId === logical)
            .map((r) => element('StackName', s.name) + element('StackId', s.id) + resourceXml(s, r, 'Timestamp')),
        );
      }
      case 'GetTemplate': {
        const template = params.get('ChangeSetName') ? changeSetOf(region, params).template : stackOf(region, params.get('StackName')).template;
        return element('TemplateBody', JSON.stringify(template)) + members('StagesAvailable', ['Original', 'Processed']);
      }
      case 'CreateChangeSet': {
        const stack = stackOf(region, params.get('StackName'));
        settle(stack);
        const name = params.get('ChangeSetName') ?? '';
        if (!/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/.test(name))
          throw new QueryError(400, 'ValidationError', `1 validation error detected: Value '${name}' at 'changeSetName' failed to satisfy constraint`);
        const type = params.get('ChangeSetType') ?? 'UPDATE';
        if (type !== 'UPDATE') throw new QueryError(400, 'ValidationError', `the shim models ChangeSetType UPDATE only, not ${type}`);
        if (!UPDATABLE.has(stack.status)) throw new QueryError(400, 'ValidationError', `Stack:${stack.id} is in ${stack.status} state and can not be updated.`);
        if ([...state.changeSets.values()].some((c) => c.stack === stack && c.name === name))
          throw new QueryError(400, 'AlreadyExistsException', `ChangeSet ${name} already exists`);
        let template: Record<string, unknown>;
        if (params.get('UsePreviousTemplate') === 'true') template = stack.template;
        else {
          try {
            template = JSON.parse(params.get('TemplateBody') ?? '') as Record<string, unknown>;
          } catch {
            throw new QueryError(400, 'ValidationError', 'Template format error: JSON not well-formed.');
          }
        }
        const capabilities = listParam(params, 'Capabilities');
        if (needsIamCapability(template) && !capabilities.some((c) => c === 'CAPABILITY_IAM' || c === 'CAPABILITY_NAMED_IAM')) {
          throw new QueryError(400, 'InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_IAM]');
        }
        const given = new Map<string, { value?: string; previous: boolean }>();
        for (let i = 1; params.has(`Parameters.member.${i}.ParameterKey`); i++) {
          const value = params.get(`Parameters.member.${i}.ParameterValue`);
          given.set(params.get(`Parameters.member.${i}.ParameterKey`) ?? '', {
            ...(value === null ? {} : { value }),
            previous: params.get(`Parameters.member.${i}.UsePreviousValue`) === 'true',
          });
        }
        const declared = Object.keys(template.Parameters ?? {});
        const unknown = [...given.keys()].filter((k) => !declared.includes(k));
        if (unknown.length) throw new QueryError(400, 'ValidationError', `Parameters: [${unknown.join(', ')}] do not exist in the template`);
        const missing = declared.filter((k) => {
          const g = given.get(k);
          return !g || (g.previous ? !(k in stack.parameters) : g.value === undefined);
        });
        if (missing.length) throw new QueryError(400, 'ValidationError', `Parameters: [${missing.join(', ')}] must have values`);
        const changes = [...templateChanges(stack, template), ...stack.dynamicChanges];
        const id = `arn:aws:cloudformation:${region}:${opts.accountId}:changeSet/${name}/${randomUUID()}`;
        const change: ShimChangeSet = {
          name,
          id,
          stack,
          template,
          status: changes.length > 0 ? 'CREATE_COMPLETE' : 'FAILED',
          ...(changes.length > 0 ? {} : { statusReason: NO_CHANGES }),
          executionStatus: changes.length > 0 ? 'AVAILABLE' : 'UNAVAILABLE',
          changes,
          capabilities,
          createdAt: new Date(),
        };
        state.changeSets.set(id, change);
        return element('Id', id) + element('StackId', stack.id);
      }
      case 'DescribeChangeSet': {
        const c = changeSetOf(region, params);
        settle(c.stack);
        const changeXml = c.changes.map(
          (ch) =>
            element('Type', 'Resource') +
            '<ResourceChange>' +
            element('Action', ch.action) +
            element('LogicalResourceId', ch.logicalId) +
            element('PhysicalResourceId', ch.physicalId) +
            element('ResourceType', ch.type) +
            (ch.action === 'Modify' ? element('Replacement', ch.replacement) + members('Scope', ['Properties']) : '') +
            members(
              'Details',
              ch.details.map(
                (d) =>
                  '<Target>' +
                  element('Attribute', 'Properties') +
                  element('Name', d.name) +
                  element('RequiresRecreation', d.requiresRecreation) +
                  '</Target>' +
                  element('Evaluation', 'Static') +
                  element('ChangeSource', 'DirectModification'),
              ),
            ) +
            '</ResourceChange>',
        );
        return (
          element('ChangeSetName', c.name) +
          element('ChangeSetId', c.id) +
          element('StackId', c.stack.id) +
          element('StackName', c.stack.name) +
          element('CreationTime', c.createdAt.toISOString()) +
          element('Status', c.status) +
          element('StatusReason', c.statusReason) +
          element('ExecutionStatus', c.executionStatus) +
          members('Capabilities', c.capabilities.map(xml)) +
          members('Changes', changeXml)
        );
      }
      case 'ExecuteChangeSet': {
        const c = changeSetOf(region, params);
        settle(c.stack);
        if (c.executionStatus !== 'AVAILABLE') {
          throw new QueryError(
            400,
            'InvalidChangeSetStatus',
            `ChangeSet [${c.id}] cannot be executed in its current execution status of [${c.executionStatus}]`,
          );
        }
        if (!UPDATABLE.has(c.stack.status))
          throw new QueryError(400, 'ValidationError', `Stack:${c.stack.id} is in ${c.stack.status} state and can not be updated.`);
        await execute(c);
        return '';
      }
      case 'DeleteChangeSet': {
        const c = changeSetOf(region, params);
        if (c.executionStatus === 'EXECUTE_IN_PROGRESS') throw new QueryError(400, 'InvalidChangeSetStatus', 'ChangeSet is being executed');
        state.changeSets.delete(c.id);
        return '';
      }
      default:
        throw new QueryError(400, 'InvalidAction', `${action} is not served by the shim`);
    }
  }

  function reply(res: http.ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'content-type': 'text/xml', 'content-length': String(Buffer.byteLength(body)), 'x-amzn-requestid': randomUUID() });
    res.end(body);
  }

  function forward(req: http.IncomingMessage, res: http.ServerResponse, body?: string): void {
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([h]) => !HOP_BY_HOP.has(h)));
    const up = http.request({ hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (upRes) => {
      const outHeaders = Object.fromEntries(Object.entries(upRes.headers).filter(([h]) => !HOP_BY_HOP.has(h)));
      res.writeHead(upRes.statusCode ?? 502, outHeaders);
      upRes.pipe(res);
    });
    up.on('error', (err) => {
      if (!res.headersSent) reply(res, 502, `shim could not reach ${upstream.href}: ${err.message}`);
      else res.destroy(err);
    });
    if (body === undefined) req.pipe(up);
    else up.end(body);
  }

  const server = http.createServer((req, res) => {
    const { service, region } = serviceOf(req.headers.authorization);
    if (service !== 'cloudformation') {
      forward(req, res);
      return;
    }
    void (async () => {
      const raw = await readBody(req);
      const params = new URLSearchParams(req.method === 'POST' ? raw : new URL(req.url ?? '/', 'http://shim').search);
      const action = params.get('Action') ?? '';
      if (!HANDLED.has(action)) {
        forward(req, res, raw);
        return;
      }
      state.requests.push({ action, region, params: Object.fromEntries(params) });
      try {
        const result = await handle(action, region, params);
        reply(
          res,
          200,
          `<${action}Response xmlns="${XMLNS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
        );
      } catch (err) {
        const e = err instanceof QueryError ? err : new QueryError(500, 'InternalFailure', String(err));
        reply(
          res,
          e.status,
          `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${e.status < 500 ? 'Sender' : 'Receiver'}</Type><Code>${xml(e.code)}</Code><Message>${xml(e.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        );
      }
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    state,
    seedStack(input) {
      const region = input.region ?? 'us-east-1';
      const stack: ShimStack = {
        name: input.name,
        id: stackArn(region, input.name),
        region,
        status: input.status ?? 'CREATE_COMPLETE',
        template: input.template,
        resources: input.resources,
        tags: input.tags ?? {},
        parameters: input.parameters ?? {},
        dynamicChanges: input.dynamicChanges ?? [],
        createdAt: new Date(),
      };
      state.stacks.set(`${region}/${input.name}`, stack);
      return stack;
    },
    clear() {
      state.stacks.clear();
      state.changeSets.clear();
      state.requests.length = 0;
    },
    stop() {
      return new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
    },
  };
}
