import { describe, expect, it } from '@jest/globals';

import {
  ApiError,
  formatCriLogLine,
  imagePullError,
  imagePullReason,
  normalizeImageRef,
  parseCriLog,
  parseCriLogLine,
} from '../src/index.js';

describe('CRI log lines', () => {
  it('formats a line with a nanosecond RFC 3339 timestamp, stream and tag', () => {
    expect(formatCriLogLine(Date.UTC(2026, 10, 27, 5, 6, 7, 123), 'stderr', 'hello')).toBe(
      '2026-11-27T05:06:07.123000000Z stderr F hello\n',
    );
    expect(formatCriLogLine(0, 'stdout', 'part', 'P')).toBe('1970-01-01T00:00:00.000000000Z stdout P part\n');
  });

  it('parses what containerd writes, including offsets and spaces in the content', () => {
    expect(parseCriLogLine('2026-11-27T05:06:07.1234567+01:00 stdout F a  b c\n')).toEqual({
      time: '2026-11-27T05:06:07.1234567+01:00',
      stream: 'stdout',
      tag: 'F',
      content: 'a  b c',
    });
    expect(parseCriLogLine('2026-11-27T05:06:07Z stdout F ')?.content).toBe('');
  });

  it('rejects lines that are not CRI log lines', () => {
    expect(parseCriLogLine('hello world')).toBeUndefined();
    expect(parseCriLogLine('yesterday stdout F x')).toBeUndefined();
    expect(parseCriLogLine('2026-11-27T05:06:07Z stdin F x')).toBeUndefined();
  });

  it('joins partial entries with the entry that completes them, per stream', () => {
    const text = [
      formatCriLogLine(1, 'stdout', 'hel', 'P'),
      formatCriLogLine(2, 'stderr', 'oops'),
      formatCriLogLine(3, 'stdout', 'lo'),
      'garbage\n',
    ].join('');
    expect(parseCriLog(text).map((l) => [l.stream, l.content])).toEqual([
      ['stderr', 'oops'],
      ['stdout', 'hello'],
    ]);
  });
});

describe('image references', () => {
  it('normalises references as CRI runtimes do', () => {
    expect(normalizeImageRef('busybox')).toBe('docker.io/library/busybox:latest');
    expect(normalizeImageRef('busybox:1.35')).toBe('docker.io/library/busybox:1.35');
    expect(normalizeImageRef('tugboat/pause:1.0')).toBe('docker.io/tugboat/pause:1.0');
    expect(normalizeImageRef('docker.io/library/busybox:1.35')).toBe('docker.io/library/busybox:1.35');
    expect(normalizeImageRef('127.0.0.1:5000/app')).toBe('127.0.0.1:5000/app:latest');
    expect(normalizeImageRef('localhost/app:v1')).toBe('localhost/app:v1');
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(normalizeImageRef(`quay.io/org/app@${digest}`)).toBe(`quay.io/org/app@${digest}`);
  });

  it('rejects invalid references with ImagePull, reason InvalidImageName', () => {
    for (const bad of [
      '',
      'docker.io/library/BUSYBOX:1.35',
      'busybox:',
      'a b',
      'busybox@sha256:xyz',
      ' busybox',
    ]) {
      let err: unknown;
      try {
        normalizeImageRef(bad);
      } catch (e) {
        err = e;
      }
      expect(ApiError.is(err, 'ImagePull')).toBe(true);
      expect(imagePullReason(err)).toBe('InvalidImageName');
    }
  });
});

describe('the image-pull error', () => {
  it('is an ApiError with code ImagePull, served as 502 ErrImagePull, carrying its reason and cause', () => {
    const cause = new Error('connection refused');
    const err = imagePullError('busybox:9', 'Unavailable', 'registry unreachable', cause);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('ImagePull');
    expect(err.httpStatus).toBe(502);
    expect(err.toStatus().reason).toBe('ErrImagePull');
    expect(err.details.name).toBe('busybox:9');
    expect(err.cause).toBe(cause);
    expect(err.message).toContain('busybox:9');
    expect(imagePullReason(err)).toBe('Unavailable');
    expect(ApiError.fromStatus(err.toStatus()).code).toBe('ImagePull');
  });

  it('has no reason for other errors', () => {
    expect(imagePullReason(new ApiError('NotFound', 'x'))).toBeUndefined();
    expect(imagePullReason(new Error('x'))).toBeUndefined();
  });
});
