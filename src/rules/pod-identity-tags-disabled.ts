import { findingOf, type Rule } from './types.js';

export const podIdentityTagsDisabled: Rule = {
  id: 'pod-identity-tags-disabled',
  severity: 'low',
  title: 'Association disables session tags its role\'s trust relies on',
  explanation:
    'The association was created with `disableSessionTags`, but its role\'s trust admits Pod Identity only through conditions on session tags. Without tags the condition fails: pods of this service account get no credentials.',
  fix: 'Update the association to enable session tags, or scope the trust with `sts:ExternalId`/unconditioned statements deliberately.',
  check(ctx) {
    const out = [];
    for (const a of ctx.associations()) {
      if (!a.disableSessionTags) continue;
      const role = ctx.rolesByArn.get(a.roleArn);
      const cluster = ctx.clusterByArn(a.clusterArn);
      if (!role || !cluster) continue;
      const identity = ctx.identity(cluster, a.namespace, a.serviceAccount);
      const withTags = ctx.podIdentity(role, identity, true).decision;
      const without = ctx.podIdentity(role, identity, false).decision;
      if (without === 'no' && withTags !== 'no') {
        out.push(
          findingOf(this, `${cluster.name}/${a.namespace}/${a.serviceAccount}: association ${a.associationId} disables session tags, but ${role.arn}'s trust requires them`, {
            roleArn: role.arn,
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
