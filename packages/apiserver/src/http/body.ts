import type { IncomingMessage } from 'node:http';

import { ApiError } from '@tugboat/core';
import { parse as parseYaml } from 'yaml';

import { decodeProtobufBody, protobufType } from './protobufBody.js';

/** The media type of a request body, lowercased without parameters (`application/json`). */
export function mediaType(req: IncomingMessage): string {
  const raw = req.headers['content-type'] ?? '';
  return (raw.split(';')[0] ?? '').trim().toLowerCase();
}

/**
 * Reads the whole request body, failing with `RequestEntityTooLarge` past `limit` bytes (the
 * rest of the upload is drained, not buffered, so the answer can still be written).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume();
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      reject(new ApiError('BadRequest', `reading the request body: ${err.message}`));
    });
  });
}

function tooLarge(limit: number): ApiError {
  return new ApiError('RequestEntityTooLarge', `the request body is larger than the limit of ${limit} bytes`);
}

/** The media types accepted for object bodies (POST, PUT, subresources). */
const objectTypes = new Set([
  protobufType,
  'application/json',
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  '',
]);

/**
 * Decodes an object body as JSON or YAML by its media type: `UnsupportedMediaType` for any other
 * type, `BadRequest` naming the problem for malformed input or a non-object.
 */
export function decodeObjectBody(type: string, raw: Buffer): Record<string, unknown> {
  if (!objectTypes.has(type)) {
    throw new ApiError(
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
    );
  }
  if (type === protobufType) return decodeProtobufBody(raw);
  const value = type === 'application/json' || type === '' ? parseJson(raw) : parseYamlBody(raw);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError('BadRequest', 'the request body must be a JSON or YAML object');
  }
  return value as Record<string, unknown>;
}

/** Parses JSON, failing with a `BadRequest` that names the problem. */
export function parseJson(raw: Buffer | string): unknown {
  const text = raw.toString();
  if (text.trim() === '') throw new ApiError('BadRequest', 'the request body is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError('BadRequest', `couldn't decode the request body as JSON: ${(err as Error).message}`);
  }
}

function parseYamlBody(raw: Buffer): unknown {
  const text = raw.toString();
  if (text.trim() === '') throw new ApiError('BadRequest', 'the request body is empty');
  try {
    return parseYaml(text, { maxAliasCount: 100, uniqueKeys: true }) as unknown;
  } catch (err) {
    const first = (err as Error).message.split('\n')[0] ?? '';
    throw new ApiError('BadRequest', `couldn't decode the request body as YAML: ${first}`);
  }
}
