import { describe, expect, it } from 'vitest';
import { Sessions } from '../../emulators/jira-server/auth.ts';
import type { User } from '../../emulators/jira-server/state/model.ts';

describe('emulator sessions', () => {
  it('keep at most the bound, newest first', () => {
    const sessions = new Sessions(4);
    const user = { key: 'JIRAUSER10000' } as User;
    const ids = Array.from({ length: 7 }, () => sessions.create(user));
    // Two generations of two: the newest three or four survive, never more than four.
    expect(ids.filter((id) => sessions.userKey(id)).length).toBeLessThanOrEqual(4);
    for (const id of ids.slice(-3)) expect(sessions.userKey(id)).toBe('JIRAUSER10000');
    for (const id of ids.slice(0, 3)) expect(sessions.userKey(id)).toBeUndefined();
  });
});
