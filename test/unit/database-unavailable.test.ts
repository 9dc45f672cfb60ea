import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/store/unavailable.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('a database that cannot serve now', () => {
  it('is told from a query that was wrong', () => {
    for (const err of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('sorry, too many clients already', '53300'),
      withCode('connection failure', '08006'),
      withCode('could not extend file: No space left on device', '53100'),
      withCode('out of memory', '53200'),
      withCode('cannot execute INSERT in a read-only transaction', '25006'),
      withCode('database is locked', 'SQLITE_BUSY'),
      withCode('database is locked', 'SQLITE_BUSY_SNAPSHOT'),
      withCode('database or disk is full', 'SQLITE_FULL'),
      withCode('attempt to write a readonly database', 'SQLITE_READONLY'),
      withCode('attempt to write a readonly database', 'SQLITE_READONLY_DBMOVED'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
    ])
      expect(isDatabaseUnavailable(err), err.message).toBe(true);
    for (const err of [
      withCode('duplicate key value violates unique constraint', '23505'),
      withCode('syntax error at or near "x"', '42601'),
      withCode('UNIQUE constraint failed: users.email', 'SQLITE_CONSTRAINT_UNIQUE'),
      withCode('configuration limit exceeded', '53400'),
      withCode('invalid transaction state', '25000'),
      withCode('no such table: x', 'SQLITE_ERROR'),
      withCode('database disk image is malformed', 'SQLITE_CORRUPT'),
      new Error('something else'),
      'Connection terminated unexpectedly',
      null,
    ])
      expect(isDatabaseUnavailable(err), String(err)).toBe(false);
  });
});
