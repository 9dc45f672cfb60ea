import { describe, expect, it } from 'vitest';
import { element as jira } from '../../src/elements/jiraonprem/element.ts';
import { eventsEnabled, platformConfiguration, stripsNulls } from '../../src/elements/platform-configuration.ts';

/** The default a platform key is declared (and shown in the element's metadata) with. */
const declaredDefault = (key: string) => platformConfiguration(jira.definition, true).find((k) => k.key === key)?.defaultValue;

describe("the platform's configuration keys", () => {
  it('read a key that is not set as its declared default', () => {
    expect(String(stripsNulls({}))).toBe(declaredDefault('filter.response.nulls'));
    expect(String(eventsEnabled({}))).toBe(declaredDefault('event.notification.enabled'));
  });

  it('take JSON booleans and their text alike, and nothing else as yes', () => {
    for (const [value, yes] of [
      [true, true],
      ['true', true],
      [false, false],
      ['false', false],
      ['TRUE', false],
      ['', false],
      [null, false],
      [1, false],
    ] as const) {
      expect(stripsNulls({ 'filter.response.nulls': value })).toBe(yes);
      expect(eventsEnabled({ 'event.notification.enabled': value })).toBe(yes);
    }
  });
});
