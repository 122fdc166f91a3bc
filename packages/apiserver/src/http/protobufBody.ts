import { ApiError } from '@tugboat/core';
import protobuf from 'protobufjs/minimal.js';

/** The media type of Kubernetes' protobuf encoding. */
export const protobufType = 'application/vnd.kubernetes.protobuf';

/**
 * How a field is read. Go's protobuf encoder writes non-pointer fields even at their zero value,
 * where JSON omits them: `string`, `count` and `flag` drop "" / 0 / false so defaulting sees the
 * field unset, as upstream's decoder into Go zero values does; `int` and `bool` are pointer fields,
 * kept whatever their value.
 */
type FieldKind =
  'string' | 'bytes' | 'bool' | 'flag' | 'int' | 'count' | 'strings' | 'stringMap' | 'bytesMap';
/** A message's fields by number; a one-element array marks a repeated message field. */
type Message = Readonly<
  Record<number, readonly [name: string, kind: FieldKind | Message | readonly [Message]]>
>;

const objectMeta: Message = {
  1: ['name', 'string'],
  2: ['generateName', 'string'],
  3: ['namespace', 'string'],
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

/**
 * The kinds whose protobuf form the server decodes, field numbers as in k8s.io/api's
 * generated.proto. kubectl's typed clients (`kubectl create namespace|configmap|secret|token`)
 * send protobuf; everything else it sends as JSON.
 */
const kinds: Readonly<Record<string, Message>> = {
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
};

const unknownEnvelope: Message = {
  1: ['typeMeta', { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] }],
  2: ['raw', 'bytes'],
};

/**
 * Decodes a Kubernetes protobuf body (`k8s\0` + runtime.Unknown) into its JSON form, for the kinds
 * kubectl's typed clients send that way; `UnsupportedMediaType` for any other kind, `BadRequest`
 * for malformed bytes.
 */
export function decodeProtobufBody(raw: Buffer): Record<string, unknown> {
  if (raw.length < 4 || raw.subarray(0, 4).toString('latin1') !== 'k8s\u0000') {
    throw new ApiError('BadRequest', 'the protobuf body lacks the "k8s\\x00" envelope prefix');
  }
  let envelope: Record<string, unknown>;
  try {
    envelope = decode(raw.subarray(4), unknownEnvelope);
  } catch {
    throw new ApiError('BadRequest', 'the protobuf body is malformed');
  }
  const typeMeta = (envelope['typeMeta'] ?? {}) as { apiVersion?: string; kind?: string };
  const key = `${typeMeta.apiVersion ?? ''}/${typeMeta.kind ?? ''}`;
  const message = kinds[key];
  if (message === undefined) {
    throw new ApiError(
      'UnsupportedMediaType',
      `protobuf bodies of ${key} are not supported; send application/json`,
    );
  }
  try {
    const body = decode((envelope['raw'] as Uint8Array | undefined) ?? new Uint8Array(), message);
    return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...body };
  } catch {
    throw new ApiError('BadRequest', `the protobuf body of ${key} is malformed`);
  }
}

function decode(bytes: Uint8Array, message: Message): Record<string, unknown> {
  const reader = protobuf.Reader.create(bytes);
  const out: Record<string, unknown> = {};
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const field = message[tag >>> 3];
    if (field === undefined) {
      reader.skipType(tag & 7);
      continue;
    }
    const [name, kind] = field;
    if (isRepeated(kind))
      out[name] = [...((out[name] as unknown[] | undefined) ?? []), decode(reader.bytes(), kind[0])];
    else if (typeof kind === 'object') out[name] = decode(reader.bytes(), kind);
    else if (kind === 'string') {
      const value = reader.string();
      if (value !== '') out[name] = value;
    } else if (kind === 'bytes') out[name] = reader.bytes();
    else if (kind === 'bool') out[name] = reader.bool();
    else if (kind === 'flag') {
      if (reader.bool()) out[name] = true;
    } else if (kind === 'int') out[name] = Number(reader.int64());
    else if (kind === 'count') {
      const value = Number(reader.int64());
      if (value !== 0) out[name] = value;
    } else if (kind === 'strings')
      out[name] = [...((out[name] as string[] | undefined) ?? []), reader.string()];
    else {
      const entry = decode(reader.bytes(), {
        1: ['k', 'string'],
        2: ['v', kind === 'stringMap' ? 'string' : 'bytes'],
      });
      const map = (out[name] as Record<string, unknown> | undefined) ?? {};
      const value = entry['v'] ?? (kind === 'stringMap' ? '' : new Uint8Array());
      map[typeof entry['k'] === 'string' ? entry['k'] : ''] =
        value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
      out[name] = map;
    }
  }
  return out;
}

function isRepeated(kind: FieldKind | Message | readonly [Message]): kind is readonly [Message] {
  return Array.isArray(kind);
}
