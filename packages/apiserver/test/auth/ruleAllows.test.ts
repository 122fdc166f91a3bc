import { describe, expect, it } from '@jest/globals';
import type { rbacv1 } from '@tugboat/core';

import { ruleAllows, subjectApplies, type AuthorizationAttributes, type UserInfo } from '../../src/index.js';
import { jane, res, url } from './attributes.js';

describe('ruleAllows', () => {
  const cases: [string, rbacv1.PolicyRule, AuthorizationAttributes, boolean][] = [
    [
      'exact verb, group and resource',
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
      res('get', 'pods'),
      true,
    ],
    ['another verb', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('delete', 'pods'), false],
    [
      'verb wildcard',
      { verbs: ['*'], apiGroups: [''], resources: ['pods'] },
      res('deletecollection', 'pods'),
      true,
    ],
    [
      'another group',
      { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] },
      res('get', 'pods'),
      false,
    ],
    [
      'group wildcard',
      { verbs: ['get'], apiGroups: ['*'], resources: ['deployments'] },
      res('get', 'deployments', { apiGroup: 'apps' }),
      true,
    ],
    [
      'resource wildcard',
      { verbs: ['list'], apiGroups: [''], resources: ['*'] },
      res('list', 'secrets'),
      true,
    ],
    [
      'the bare resource does not cover a subresource',
      { verbs: ['create'], apiGroups: [''], resources: ['pods'] },
      res('create', 'pods', { subresource: 'exec' }),
      false,
    ],
    [
      'resource/subresource',
      { verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] },
      res('create', 'pods', { subresource: 'exec' }),
      true,
    ],
    [
      '*/subresource',
      { verbs: ['get'], apiGroups: [''], resources: ['*/status'] },
      res('get', 'nodes', { subresource: 'status' }),
      true,
    ],
    [
      '*/subresource does not cover the resource',
      { verbs: ['get'], apiGroups: [''], resources: ['*/status'] },
      res('get', 'nodes'),
      false,
    ],
    [
      '* covers subresources',
      { verbs: ['get'], apiGroups: [''], resources: ['*'] },
      res('get', 'pods', { subresource: 'log' }),
      true,
    ],
    [
      'resourceNames match',
      { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] },
      res('get', 'configmaps', { name: 'a' }),
      true,
    ],
    [
      'resourceNames miss',
      { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] },
      res('get', 'configmaps', { name: 'b' }),
      false,
    ],
    [
      'resourceNames need a name (list)',
      { verbs: ['list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] },
      res('list', 'configmaps'),
      false,
    ],
    [
      'a resource rule does not cover URLs',
      { verbs: ['get'], apiGroups: ['*'], resources: ['*'] },
      url('get', '/healthz'),
      false,
    ],
    ['exact URL', { verbs: ['get'], nonResourceURLs: ['/healthz'] }, url('get', '/healthz'), true],
    [
      'URL prefix with *',
      { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
      url('get', '/apis/apps/v1'),
      true,
    ],
    [
      'URL prefix needs the prefix',
      { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
      url('get', '/api'),
      false,
    ],
    ['URL wildcard', { verbs: ['*'], nonResourceURLs: ['*'] }, url('post', '/anything'), true],
    [
      'URL rule does not cover resources',
      { verbs: ['*'], nonResourceURLs: ['*'] },
      res('get', 'pods'),
      false,
    ],
  ];
  it.each(cases)('%s', (_name, rule, attributes, allowed) => {
    expect(ruleAllows(rule, attributes)).toBe(allowed);
  });
});

describe('subjectApplies', () => {
  const sa: UserInfo = { name: 'system:serviceaccount:ns1:bot', groups: ['system:serviceaccounts'] };
  it.each([
    [{ kind: 'User', name: 'jane' }, jane, '', true],
    [{ kind: 'User', name: 'joe' }, jane, '', false],
    [{ kind: 'Group', name: 'dev' }, jane, '', true],
    [{ kind: 'ServiceAccount', name: 'bot', namespace: 'ns1' }, sa, '', true],
    [{ kind: 'ServiceAccount', name: 'bot' }, sa, 'ns1', true],
    [{ kind: 'ServiceAccount', name: 'bot' }, sa, 'ns2', false],
    [{ kind: 'Group', name: 'system:serviceaccounts' }, sa, '', true],
  ] as [rbacv1.Subject, UserInfo, string, boolean][])(
    '%j for %j in %j → %s',
    (subject, user, ns, applies) => {
      expect(subjectApplies(subject, user, ns)).toBe(applies);
    },
  );
});
