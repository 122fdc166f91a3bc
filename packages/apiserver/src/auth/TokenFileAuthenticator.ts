import { existsSync, readFileSync } from 'node:fs';

import { ApiError } from '@tugboat/core';
import { parse } from 'csv-parse/sync';

import type { UserInfo } from '../registry/RequestContext.js';
import type { TokenAuthenticator } from './TokenAuthenticator.js';

/**
 * Static bearer tokens from a CSV file in upstream's `--token-auth-file` format, one token per
 * line: `token,user,uid,"group1,group2"` (the groups column is optional). Read once at start.
 */
export class TokenFileAuthenticator implements TokenAuthenticator {
  private constructor(private readonly tokens: ReadonlyMap<string, UserInfo>) {}

  /** The number of tokens known. */
  get size(): number {
    return this.tokens.size;
  }

  /** Reads a token file; a missing file means no static tokens. Bad content is `Invalid`. */
  static fromFile(path: string): TokenFileAuthenticator {
    if (!existsSync(path)) return new TokenFileAuthenticator(new Map());
    return TokenFileAuthenticator.fromCsv(readFileSync(path, 'utf8'), path);
  }

  /** Parses token file content; `source` names it in errors. */
  static fromCsv(text: string, source = 'token file'): TokenFileAuthenticator {
    let records: string[][];
    try {
      records = parse(text, { relax_column_count: true, skip_empty_lines: true, trim: true, comment: '#' });
    } catch (err) {
      throw new ApiError('Invalid', `${source}: not valid CSV: ${(err as Error).message}`);
    }
    const tokens = new Map<string, UserInfo>();
    records.forEach((record, i) => {
      const [token = '', name = '', uid = '', groupColumn] = record;
      if (record.length < 3) {
        throw new ApiError(
          'Invalid',
          `${source}: record ${i + 1} must have at least 3 columns (token, user name, user uid), found ${record.length}`,
        );
      }
      if (token === '') throw new ApiError('Invalid', `${source}: record ${i + 1} has an empty token`);
      if (name === '') throw new ApiError('Invalid', `${source}: record ${i + 1} has an empty user name`);
      if (tokens.has(token))
        throw new ApiError('Invalid', `${source}: record ${i + 1} repeats the token of an earlier record`);
      const groups = (groupColumn ?? '')
        .split(',')
        .map((g) => g.trim())
        .filter((g) => g !== '');
      tokens.set(token, { name, ...(uid !== '' ? { uid } : {}), groups });
    });
    return new TokenFileAuthenticator(tokens);
  }

  authenticateToken(token: string): Promise<UserInfo | undefined> {
    return Promise.resolve(this.tokens.get(token));
  }
}
