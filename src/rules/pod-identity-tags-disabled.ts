import { findingOf, type Rule } from './types.js';

export const podIdentityTagsDisabled: Rule = {
  id: 'pod-identity-tags-disabled',
  severity: 'low',
  title: 'Association disables session tags its role\'s trust relies on',
  explanation:
    'The association was created with `disableSessionTags`, but its role\'s trust (or, with `targetRoleArn`, its target role\'s) admits it only through conditions on session tags. Without tags the condition fails: pods of this service account get no credentials.',
  fix: 'Update the association to enable session tags, or scope the trust with `sts:ExternalId`/unconditioned statements deliberately.',
  check(ctx) {
    const out = [];
    for (const a of ctx.associations()) {
      if (!a.disableSessionTags) continue;
      const role = ctx.rolesByArn.get(a.roleArn);
      const cluster = ctx.clusterByArn(a.clusterArn);
      if (!role || !cluster) continue;
      const identity = ctx.identity(cluster, a.namespace, a.serviceAccount);
      const target = a.targetRoleArn ? ctx.rolesByArn.get(a.targetRoleArn) : undefined;
      const needsTags = [
        { trusting: role, decide: (tags: boolean) => ctx.podIdentity(role, identity, tags).decision },
        ...(target ? [{ trusting: target, decide: (tags: boolean) => ctx.oracle.chain(target.trustPolicy, a.roleArn, identity, tags).decision }] : []),
      ].filter(({ decide }) => decide(false) === 'no' && decide(true) !== 'no');
      for (const { trusting } of needsTags) {
        out.push(
          findingOf(this, `${cluster.name}/${a.namespace}/${a.serviceAccount}: association ${a.associationId} disables session tags, but ${trusting.arn}'s trust requires them`, {
            roleArn: trusting.arn,
            cluster: cluster.name,
            namespace: a.namespace,
            serviceAccount: a.serviceAccount,
          }),
        );
      }
    }
    return out;
  },
};
