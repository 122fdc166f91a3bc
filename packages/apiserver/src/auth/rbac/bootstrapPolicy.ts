import type { rbacv1 } from '@tugboat/core';

const read = ['get', 'list', 'watch'];
const write = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const all = [...read, ...write];

function r(
  verbs: readonly string[],
  apiGroups: readonly string[],
  resources: readonly string[],
  resourceNames?: readonly string[],
): rbacv1.PolicyRule {
  return {
    verbs: [...verbs],
    apiGroups: [...apiGroups],
    resources: [...resources],
    ...(resourceNames ? { resourceNames: [...resourceNames] } : {}),
  };
}

function urls(verbs: readonly string[], nonResourceURLs: readonly string[]): rbacv1.PolicyRule {
  return { verbs: [...verbs], nonResourceURLs: [...nonResourceURLs] };
}

// What `view` may read and `edit` may also write, by API group, as upstream's aggregated roles.
const workloads: readonly [string, readonly string[]][] = [
  [
    '',
    [
      'pods',
      'pods/status',
      'pods/log',
      'configmaps',
      'endpoints',
      'persistentvolumeclaims',
      'persistentvolumeclaims/status',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'replicationcontrollers/status',
      'services',
      'services/status',
      'serviceaccounts',
      'events',
      'limitranges',
      'resourcequotas',
      'resourcequotas/status',
      'bindings',
      'namespaces',
      'namespaces/status',
    ],
  ],
  [
    'apps',
    [
      'deployments',
      'deployments/scale',
      'deployments/status',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
      'daemonsets',
      'daemonsets/status',
      'statefulsets',
      'statefulsets/scale',
      'statefulsets/status',
      'controllerrevisions',
    ],
  ],
  ['autoscaling', ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']],
  ['batch', ['jobs', 'jobs/status', 'cronjobs', 'cronjobs/status']],
  ['policy', ['poddisruptionbudgets', 'poddisruptionbudgets/status']],
  ['networking.k8s.io', ['ingresses', 'ingresses/status', 'networkpolicies']],
  ['discovery.k8s.io', ['endpointslices']],
  ['events.k8s.io', ['events']],
];
// Read-only even for `edit`: status, namespaces and the records others keep.
const readOnlyForEdit = new Set([
  'namespaces',
  'namespaces/status',
  'limitranges',
  'resourcequotas',
  'resourcequotas/status',
  'bindings',
  'events',
  'controllerrevisions',
]);

// The dashboard's page (area D); its data comes from the API with the reader's own rights. Like every
// non-resource rule it applies only through a ClusterRoleBinding.
const viewRules = [
  ...workloads.map(([group, res]) => r(read, [group], res)),
  urls(['get'], ['/ui', '/ui/*']),
];
const editRules = [
  ...viewRules,
  ...workloads
    .map(([group, res]) =>
      r(
        write,
        [group],
        res.filter((x) => !readOnlyForEdit.has(x) && !x.endsWith('/status')),
      ),
    )
    .filter((rule) => (rule.resources ?? []).length > 0),
  r(all, [''], ['secrets']),
  r(
    ['create', 'get'],
    [''],
    ['pods/exec', 'pods/attach', 'pods/portforward', 'pods/proxy', 'services/proxy'],
  ),
  r(['create'], [''], ['pods/eviction', 'serviceaccounts/token']),
  r(['impersonate'], [''], ['serviceaccounts']),
  r(all, ['coordination.k8s.io'], ['leases']),
];
const adminRules = [
  ...editRules,
  r(all, ['rbac.authorization.k8s.io'], ['roles', 'rolebindings']),
  r(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
];

const schedulerRules = [
  r(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
  r(['create'], ['coordination.k8s.io'], ['leases']),
  r(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
  r(['create'], [''], ['endpoints']),
  r(['get', 'update'], [''], ['endpoints'], ['kube-scheduler']),
  r(
    read,
    [''],
    [
      'nodes',
      'namespaces',
      'persistentvolumeclaims',
      'persistentvolumes',
      'replicationcontrollers',
      'services',
      'configmaps',
    ],
  ),
  r(['delete', ...read], [''], ['pods']),
  r(['create'], [''], ['bindings', 'pods/binding']),
  r(['patch', 'update'], [''], ['pods/status']),
  r(read, ['apps'], ['replicasets', 'statefulsets']),
  r(read, ['policy'], ['poddisruptionbudgets']),
  r(read, ['storage.k8s.io'], ['storageclasses', 'csinodes', 'csidrivers', 'csistoragecapacities']),
  r(read, ['scheduling.k8s.io'], ['priorityclasses']),
  r(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
];

// One controller manager process runs every controller here, so it holds their union.
const controllerManagerRules = [
  r(all, ['', 'events.k8s.io'], ['events']),
  r(all, ['coordination.k8s.io'], ['leases']),
  r(
    all,
    [''],
    [
      'pods',
      'pods/status',
      'pods/binding',
      'pods/eviction',
      'nodes',
      'nodes/status',
      'namespaces',
      'namespaces/status',
      'namespaces/finalize',
      'endpoints',
      'services',
      'services/status',
      'serviceaccounts',
      'serviceaccounts/token',
      'secrets',
      'configmaps',
      'persistentvolumes',
      'persistentvolumeclaims',
      'replicationcontrollers',
      'replicationcontrollers/status',
      'resourcequotas',
      'resourcequotas/status',
      'limitranges',
    ],
  ),
  r(all, ['apps'], ['*']),
  r(
    all,
    [
      'autoscaling',
      'batch',
      'policy',
      'discovery.k8s.io',
      'networking.k8s.io',
      'storage.k8s.io',
      'scheduling.k8s.io',
    ],
    ['*'],
  ),
  r(read, ['*'], ['*']),
  r(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
];

/** What a node agent may do through RBAC; the Node authorizer applies these to every node. */
export const nodeRules: readonly rbacv1.PolicyRule[] = [
  r(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
  r(['create', 'get', 'list', 'watch', 'patch', 'update', 'delete'], [''], ['nodes']),
  r(['patch', 'update'], [''], ['nodes/status']),
  r(read, [''], ['services', 'endpoints', 'pods']),
  r(['create', 'delete'], [''], ['pods']),
  r(['patch', 'update'], [''], ['pods/status']),
  r(['create'], [''], ['pods/eviction']),
  r(read, [''], ['configmaps', 'secrets', 'persistentvolumeclaims', 'persistentvolumes']),
  r(['create'], [''], ['serviceaccounts/token']),
  r(['get', 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
  r(read, ['discovery.k8s.io'], ['endpointslices']),
  r(read, ['node.k8s.io'], ['runtimeclasses']),
  r(read, ['storage.k8s.io'], ['csidrivers', 'csinodes', 'volumeattachments']),
  r(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
];

const clusterRoles: Readonly<Record<string, readonly rbacv1.PolicyRule[]>> = {
  'cluster-admin': [r(['*'], ['*'], ['*']), urls(['*'], ['*'])],
  admin: adminRules,
  edit: editRules,
  view: viewRules,
  'system:kube-scheduler': schedulerRules,
  'system:kube-controller-manager': controllerManagerRules,
  'system:node': nodeRules,
  'system:node-proxier': [
    r(['list', 'watch'], [''], ['services', 'endpoints']),
    r(['get', 'list', 'watch'], [''], ['nodes']),
    r(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    r(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
  ],
  'system:basic-user': [
    r(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    r(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
  ],
  'system:discovery': [
    urls(
      ['get'],
      [
        '/api',
        '/api/*',
        '/apis',
        '/apis/*',
        '/healthz',
        '/livez',
        '/readyz',
        '/openapi',
        '/openapi/*',
        '/version',
        '/version/',
      ],
    ),
  ],
  'system:public-info-viewer': [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])],
  'system:monitoring': [
    urls(
      ['get'],
      ['/metrics', '/metrics/slis', '/healthz', '/healthz/*', '/livez', '/livez/*', '/readyz', '/readyz/*'],
    ),
  ],
};

const bindings: readonly [string, rbacv1.Subject[]][] = [
  ['cluster-admin', [group('system:masters')]],
  ['system:kube-scheduler', [user('system:kube-scheduler')]],
  ['system:kube-controller-manager', [user('system:kube-controller-manager')]],
  ['system:node-proxier', [user('system:kube-proxy')]],
  ['system:basic-user', [group('system:authenticated')]],
  ['system:discovery', [group('system:authenticated')]],
  ['system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]],
  ['system:monitoring', [group('system:monitoring')]],
];

function group(name: string): rbacv1.Subject {
  return { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name };
}

function user(name: string): rbacv1.Subject {
  return { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name };
}

const bootstrapLabels = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const autoupdate = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

/** The default ClusterRoles created at start when absent, with upstream's names and intent. */
export function bootstrapClusterRoles(): rbacv1.ClusterRole[] {
  return Object.entries(clusterRoles).map(([name, rules]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels: { ...bootstrapLabels }, annotations: { ...autoupdate } },
    rules: rules.map((rule) => structuredClone(rule)),
  }));
}

/** The default ClusterRoleBindings created at start when absent (each named after its role). */
export function bootstrapClusterRoleBindings(): rbacv1.ClusterRoleBinding[] {
  return bindings.map(([role, subjects]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: role, labels: { ...bootstrapLabels }, annotations: { ...autoupdate } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: subjects.map((s) => ({ ...s })),
  }));
}
