import { AUDIT_RULES } from '../findings/audit-rules.js';
import { findingOf, type Rule } from './types.js';

export const podIdentityTagsDisabled: Rule = {
  ...AUDIT_RULES.podIdentityTagsDisabled,
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
          findingOf(
            this,
            `${cluster.name}/${a.namespace}/${a.serviceAccount}: association ${a.associationId} disables session tags, but ${trusting.arn}'s trust requires them`,
            {
              roleArn: trusting.arn,
              cluster: cluster.name,
              namespace: a.namespace,
              serviceAccount: a.serviceAccount,
            },
          ),
        );
      }
    }
    return out;
  },
};
