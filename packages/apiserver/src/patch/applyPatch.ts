import { ApiError, type PatchType, type ResourceDefinition } from '@tugboat/core';
import jsonpatch from 'fast-json-patch';

import { mergePatch } from './mergePatch.js';
import { strategicMergePatch } from './strategicMergePatch.js';

/**
 * Applies a patch of any supported type to `original`, returning a new object. A malformed patch
 * is `BadRequest`; a JSON patch that cannot be applied (a failed `test`, a missing path) is
 * `Invalid`, as upstream serves it (422).
 */
export function applyPatch(
  original: unknown,
  type: PatchType,
  patch: unknown,
  def: ResourceDefinition,
): unknown {
  const body = parseBody(patch);
  switch (type) {
    case 'merge':
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new ApiError('BadRequest', 'a merge patch must be a JSON object');
      }
      return mergePatch(original, body);
    case 'json':
      return applyJsonPatch(original, body);
    case 'strategic':
      return strategicMergePatch(original, body, def);
    default:
      throw new ApiError('UnsupportedMediaType', `unsupported patch type: ${String(type)}`);
  }
}

function applyJsonPatch(original: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new ApiError('BadRequest', 'a JSON patch must be an array of operations');
  const invalid = jsonpatch.validate(ops as jsonpatch.Operation[], undefined) as
    jsonpatch.JsonPatchError | undefined;
  if (
    invalid !== undefined &&
    invalid.name !== 'TEST_OPERATION_FAILED' &&
    !invalid.name.includes('UNRESOLVABLE')
  ) {
    throw new ApiError(
      'BadRequest',
      `invalid JSON patch: ${firstLine(invalid.message)}`,
      {},
      { cause: invalid },
    );
  }
  try {
    return jsonpatch.applyPatch(structuredClone(original), ops as jsonpatch.Operation[], true, true)
      .newDocument;
  } catch (err) {
    const name = (err as { name?: string }).name ?? '';
    const message = firstLine(err instanceof Error ? err.message : String(err));
    if (name === 'TEST_OPERATION_FAILED') {
      throw new ApiError(
        'Invalid',
        `the server rejected our request due to an error in our request: test operation failed: ${message}`,
        {},
        { cause: err },
      );
    }
    throw new ApiError(
      'Invalid',
      `the server rejected our request due to an error in our request: ${message}`,
      {},
      { cause: err },
    );
  }
}

function parseBody(patch: unknown): unknown {
  if (typeof patch !== 'string') return patch;
  try {
    return JSON.parse(patch) as unknown;
  } catch (cause) {
    throw new ApiError(
      'BadRequest',
      `the patch is not valid JSON: ${(cause as Error).message}`,
      {},
      { cause },
    );
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
