import { ApiError } from '../errors/ApiError.js';

/**
 * Why an image could not be pulled or used. `NotFound`: the image is not present and no registry
 * has it; `InvalidImageName`: the reference does not parse; `Unauthorized`: the registry refused the
 * credentials; `Unavailable`: the registry or image store could not be reached.
 */
export type ImagePullReason = 'NotFound' | 'InvalidImageName' | 'Unauthorized' | 'Unavailable';

const reasons: readonly ImagePullReason[] = ['NotFound', 'InvalidImageName', 'Unauthorized', 'Unavailable'];

/**
 * The typed image-pull error: an {@link ApiError} with code `ImagePull`, the image in
 * `details.name`, and the {@link ImagePullReason} as the first cause's `reason`.
 */
export function imagePullError(
  image: string,
  reason: ImagePullReason,
  message: string,
  cause?: unknown,
): ApiError {
  return new ApiError(
    'ImagePull',
    `image "${image}": ${message}`,
    { name: image, kind: 'Image', causes: [{ reason, message }] },
    cause === undefined ? undefined : { cause },
  );
}

/** The {@link ImagePullReason} of an `ImagePull` error, or `undefined` for any other value. */
export function imagePullReason(err: unknown): ImagePullReason | undefined {
  if (!ApiError.is(err, 'ImagePull')) return undefined;
  const reason = err.details.causes?.[0]?.reason;
  return reasons.find((r) => r === reason) ?? 'Unavailable';
}
