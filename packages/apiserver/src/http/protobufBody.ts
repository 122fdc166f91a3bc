import { metaTime, ApiError } from '@tugboat/core';
import protobuf from 'protobufjs/minimal.js';

import { protobufKinds, type FieldKind, type Message } from './protobufKinds.js';

/** The media type of Kubernetes' protobuf encoding. */
export const protobufType = 'application/vnd.kubernetes.protobuf';

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
  const message = protobufKinds[key];
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
    else out[name] = readScalar(reader, kind, out[name]) ?? out[name];
    if (out[name] === undefined) Reflect.deleteProperty(out, name);
  }
  return out;
}

/** Reads one non-message field; `undefined` leaves it unset (a Go zero value JSON omits). */
function readScalar(reader: protobuf.Reader, kind: FieldKind, previous: unknown): unknown {
  switch (kind) {
    case 'string': {
      const value = reader.string();
      return value === '' ? undefined : value;
    }
    case 'bytes':
      return reader.bytes();
    case 'base64':
      return Buffer.from(reader.bytes()).toString('base64');
    case 'bool':
      return reader.bool();
    case 'flag':
      return reader.bool() ? true : undefined;
    case 'int':
      return Number(reader.int64());
    case 'count': {
      const value = Number(reader.int64());
      return value === 0 ? undefined : value;
    }
    case 'time':
      return rfc3339(decode(reader.bytes(), timestamp));
    case 'intOrString':
    case 'intOrStringValue': {
      const v = decode(reader.bytes(), intOrString);
      const value = v['type'] === 1 ? (v['strVal'] ?? '') : (v['intVal'] ?? 0);
      return kind === 'intOrStringValue' && (value === 0 || value === '') ? undefined : value;
    }
    case 'strings':
      return [...((previous as string[] | undefined) ?? []), reader.string()];
    case 'stringsMap': {
      const entry = decode(reader.bytes(), { 1: ['k', 'string'], 2: ['v', { 1: ['items', 'strings'] }] });
      const items = (entry['v'] as { items?: string[] } | undefined)?.items ?? [];
      return { ...(previous ?? {}), [keyOf(entry)]: items };
    }
    case 'stringMap':
    case 'bytesMap': {
      const entry = decode(reader.bytes(), {
        1: ['k', 'string'],
        2: ['v', kind === 'stringMap' ? 'string' : 'base64'],
      });
      return { ...(previous ?? {}), [keyOf(entry)]: entry['v'] ?? '' };
    }
  }
}

/** The key of a decoded map entry ("" when absent, as Go's zero value). */
function keyOf(entry: Record<string, unknown>): string {
  const k = entry['k'];
  return typeof k === 'string' ? k : '';
}

const timestamp: Message = { 1: ['seconds', 'int'], 2: ['nanos', 'int'] };
const intOrString: Message = { 1: ['type', 'int'], 2: ['intVal', 'int'], 3: ['strVal', 'string'] };
// Go's zero time.Time, which metav1.Time omits from JSON.
const zeroTimeSeconds = -62135596800;

/** A `metav1.Time` as JSON writes it: RFC 3339 at second precision, UTC; unset for the zero time. */
function rfc3339(t: Record<string, unknown>): string | undefined {
  const seconds = t['seconds'];
  if (typeof seconds !== 'number' || seconds <= zeroTimeSeconds) return undefined;
  return metaTime(seconds * 1000);
}

function isRepeated(kind: FieldKind | Message | readonly [Message]): kind is readonly [Message] {
  return Array.isArray(kind);
}
