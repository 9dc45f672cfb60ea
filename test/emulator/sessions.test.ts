import { describe, expect, it } from 'vitest';
import { Sessions } from '../../emulators/jira-server/auth.ts';
import type { User } from '../../emulators/jira-server/state/model.ts';

describe('emulator sessions', () => {
  it('keep the newest sessions when the bound is reached', () => {
    const sessions = new Sessions(2);
    const user = { key: 'JIRAUSER10000' } as User;
    const [a, b, c] = [sessions.create(user), sessions.create(user), sessions.create(user)];
    expect(sessions.userKey(a)).toBeUndefined();
    expect(sessions.userKey(b)).toBe('JIRAUSER10000');
    expect(sessions.userKey(c)).toBe('JIRAUSER10000');
  });
});
