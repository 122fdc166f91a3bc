/**
 * How a protobuf field is read into its JSON form. Go's protobuf encoder writes non-pointer fields
 * even at their zero value, where JSON (`omitempty`) omits them: `string`, `count`, `flag` and
 * `intOrStringValue` drop "" / 0 / false / 0 so defaulting sees the field unset, as upstream's
 * decoder into Go zero values does; `int`, `bool` and `intOrString` are pointer fields (or fields
 * JSON always writes), kept whatever their value. `base64` is a Go `[]byte` (base64 in JSON), `time`
 * a `metav1.Time` (RFC 3339), `stringsMap` a `map[string][]string` (a CSR's `extra`).
 */
export type FieldKind =
  | 'string'
  | 'bytes'
  | 'base64'
  | 'bool'
  | 'flag'
  | 'int'
  | 'count'
  | 'time'
  | 'intOrString'
  | 'intOrStringValue'
  | 'strings'
  | 'stringMap'
  | 'bytesMap'
  | 'stringsMap';

/** A message's fields by number (as in k8s.io/api's generated.proto); a one-element array marks a repeated message field. */
export type Message = Readonly<
  Record<number, readonly [name: string, kind: FieldKind | Message | readonly [Message]]>
>;

const objectMeta: Message = {
  1: ['name', 'string'],
  2: ['generateName', 'string'],
  3: ['namespace', 'string'],
  5: ['uid', 'string'],
  6: ['resourceVersion', 'string'],
  11: ['labels', 'stringMap'],
  12: ['annotations', 'stringMap'],
  14: ['finalizers', 'strings'],
};

const labelSelector: Message = {
  1: ['matchLabels', 'stringMap'],
  2: ['matchExpressions', [{ 1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', 'strings'] }]],
};

/** The parts of a core/v1 Container that `kubectl create deployment|job|cronjob` sets. */
const container: Message = {
  1: ['name', 'string'],
  2: ['image', 'string'],
  3: ['command', 'strings'],
  4: ['args', 'strings'],
  5: ['workingDir', 'string'],
  6: [
    'ports',
    [
      {
        1: ['name', 'string'],
        2: ['hostPort', 'count'],
        3: ['containerPort', 'count'],
        4: ['protocol', 'string'],
      },
    ],
  ],
  7: ['env', [{ 1: ['name', 'string'], 2: ['value', 'string'] }]],
  14: ['imagePullPolicy', 'string'],
  16: ['stdin', 'flag'],
  17: ['stdinOnce', 'flag'],
  18: ['tty', 'flag'],
};

const podTemplateSpec: Message = {
  1: ['metadata', objectMeta],
  2: [
    'spec',
    {
      2: ['containers', [container]],
      3: ['restartPolicy', 'string'],
      7: ['nodeSelector', 'stringMap'],
      8: ['serviceAccountName', 'string'],
      20: ['initContainers', [container]],
    },
  ],
};

const policyRule: Message = {
  1: ['verbs', 'strings'],
  2: ['apiGroups', 'strings'],
  3: ['resources', 'strings'],
  4: ['resourceNames', 'strings'],
  5: ['nonResourceURLs', 'strings'],
};

const roleBinding: Message = {
  1: ['metadata', objectMeta],
  2: [
    'subjects',
    [{ 1: ['kind', 'string'], 2: ['apiGroup', 'string'], 3: ['name', 'string'], 4: ['namespace', 'string'] }],
  ],
  3: ['roleRef', { 1: ['apiGroup', 'string'], 2: ['kind', 'string'], 3: ['name', 'string'] }],
};

/** `kubectl create service clusterip|nodeport|loadbalancer|externalname`. */
const service: Message = {
  1: ['metadata', objectMeta],
  2: [
    'spec',
    {
      1: [
        'ports',
        [
          {
            1: ['name', 'string'],
            2: ['protocol', 'string'],
            3: ['port', 'count'],
            4: ['targetPort', 'intOrStringValue'],
            5: ['nodePort', 'count'],
            6: ['appProtocol', 'string'],
          },
        ],
      ],
      2: ['selector', 'stringMap'],
      3: ['clusterIP', 'string'],
      4: ['type', 'string'],
      5: ['externalIPs', 'strings'],
      7: ['sessionAffinity', 'string'],
      8: ['loadBalancerIP', 'string'],
      9: ['loadBalancerSourceRanges', 'strings'],
      10: ['externalName', 'string'],
      11: ['externalTrafficPolicy', 'string'],
      12: ['healthCheckNodePort', 'count'],
      13: ['publishNotReadyAddresses', 'flag'],
      14: ['sessionAffinityConfig', { 1: ['clientIP', { 1: ['timeoutSeconds', 'int'] }] }],
      17: ['ipFamilyPolicy', 'string'],
      18: ['clusterIPs', 'strings'],
      19: ['ipFamilies', 'strings'],
      20: ['allocateLoadBalancerNodePorts', 'bool'],
      21: ['loadBalancerClass', 'string'],
      22: ['internalTrafficPolicy', 'string'],
      23: ['trafficDistribution', 'string'],
    },
  ],
};

/** `kubectl certificate approve|deny` sends the whole request to the `approval` subresource. */
const certificateSigningRequest: Message = {
  1: ['metadata', objectMeta],
  2: [
    'spec',
    {
      1: ['request', 'base64'],
      2: ['username', 'string'],
      3: ['uid', 'string'],
      4: ['groups', 'strings'],
      5: ['usages', 'strings'],
      6: ['extra', 'stringsMap'],
      7: ['signerName', 'string'],
      8: ['expirationSeconds', 'int'],
    },
  ],
  3: [
    'status',
    {
      1: [
        'conditions',
        [
          {
            1: ['type', 'string'],
            2: ['reason', 'string'],
            3: ['message', 'string'],
            4: ['lastUpdateTime', 'time'],
            5: ['lastTransitionTime', 'time'],
            6: ['status', 'string'],
          },
        ],
      ],
      2: ['certificate', 'base64'],
    },
  ],
};

/**
 * The kinds whose protobuf form the server decodes, keyed `apiVersion/kind`: what kubectl's typed
 * clients send as protobuf (`kubectl create namespace|configmap|secret|serviceaccount|token|
 * deployment|service|role|rolebinding|clusterrole|clusterrolebinding|priorityclass|
 * poddisruptionbudget`, `auth can-i|whoami`, `certificate approve|deny`). Everything else kubectl
 * sends as JSON.
 */
export const protobufKinds: Readonly<Record<string, Message>> = {
  'v1/Namespace': { 1: ['metadata', objectMeta], 2: ['spec', { 1: ['finalizers', 'strings'] }] },
  'v1/ConfigMap': {
    1: ['metadata', objectMeta],
    2: ['data', 'stringMap'],
    3: ['binaryData', 'bytesMap'],
    4: ['immutable', 'bool'],
  },
  'v1/Secret': {
    1: ['metadata', objectMeta],
    2: ['data', 'bytesMap'],
    3: ['type', 'string'],
    4: ['stringData', 'stringMap'],
    5: ['immutable', 'bool'],
  },
  'v1/Service': service,
  'authentication.k8s.io/v1/TokenRequest': {
    1: ['metadata', objectMeta],
    2: [
      'spec',
      {
        1: ['audiences', 'strings'],
        3: [
          'boundObjectRef',
          { 1: ['kind', 'string'], 2: ['apiVersion', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'] },
        ],
        4: ['expirationSeconds', 'int'],
      },
    ],
  },
  // `kubectl create serviceaccount` (area H2).
  'v1/ServiceAccount': { 1: ['metadata', objectMeta], 4: ['automountServiceAccountToken', 'bool'] },
  // Reviews kubectl's typed clients send (`auth can-i`, `auth whoami`), added by area H2.
  'authorization.k8s.io/v1/SelfSubjectAccessReview': {
    1: ['metadata', objectMeta],
    2: [
      'spec',
      {
        1: [
          'resourceAttributes',
          {
            1: ['namespace', 'string'],
            2: ['verb', 'string'],
            3: ['group', 'string'],
            4: ['version', 'string'],
            5: ['resource', 'string'],
            6: ['subresource', 'string'],
            7: ['name', 'string'],
          },
        ],
        2: ['nonResourceAttributes', { 1: ['path', 'string'], 2: ['verb', 'string'] }],
      },
    ],
  },
  'authorization.k8s.io/v1/SelfSubjectRulesReview': {
    1: ['metadata', objectMeta],
    2: ['spec', { 1: ['namespace', 'string'] }],
  },
  'authentication.k8s.io/v1/SelfSubjectReview': { 1: ['metadata', objectMeta] },
  // `kubectl create deployment NAME --image=… [--replicas=N] [--port=P] [-- COMMAND…]`.
  'apps/v1/Deployment': {
    1: ['metadata', objectMeta],
    2: [
      'spec',
      {
        1: ['replicas', 'int'],
        2: ['selector', labelSelector],
        3: ['template', podTemplateSpec],
        4: ['strategy', { 1: ['type', 'string'] }],
        5: ['minReadySeconds', 'count'],
        6: ['revisionHistoryLimit', 'int'],
        7: ['paused', 'flag'],
        9: ['progressDeadlineSeconds', 'int'],
      },
    ],
  },
  'rbac.authorization.k8s.io/v1/Role': { 1: ['metadata', objectMeta], 2: ['rules', [policyRule]] },
  'rbac.authorization.k8s.io/v1/ClusterRole': {
    1: ['metadata', objectMeta],
    2: ['rules', [policyRule]],
    3: ['aggregationRule', { 1: ['clusterRoleSelectors', [labelSelector]] }],
  },
  'rbac.authorization.k8s.io/v1/RoleBinding': roleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': roleBinding,
  'scheduling.k8s.io/v1/PriorityClass': {
    1: ['metadata', objectMeta],
    // `value` has no omitempty: 0 is a value JSON writes too.
    2: ['value', 'int'],
    3: ['globalDefault', 'flag'],
    4: ['description', 'string'],
    5: ['preemptionPolicy', 'string'],
  },
  'policy/v1/PodDisruptionBudget': {
    1: ['metadata', objectMeta],
    2: [
      'spec',
      {
        1: ['minAvailable', 'intOrString'],
        2: ['selector', labelSelector],
        3: ['maxUnavailable', 'intOrString'],
        4: ['unhealthyPodEvictionPolicy', 'string'],
      },
    ],
  },
  'certificates.k8s.io/v1/CertificateSigningRequest': certificateSigningRequest,
};
