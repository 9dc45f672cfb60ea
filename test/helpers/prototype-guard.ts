import { afterAll, expect } from 'vitest';

/**
 * Every test file ends by checking that nothing wrote to the prototypes every object shares.
 * The server runs in the test's process, so a data key that reached `Object.prototype` (a
 * transformation path `__proto__.x`, a vendor member named `__proto__`) shows up here whichever
 * test sent it.
 */
const shared = { Object: Object.prototype, Array: Array.prototype, Function: Function.prototype };
const namesOf = (proto: object) => Reflect.ownKeys(proto).map(String).sort();
const before = Object.fromEntries(Object.entries(shared).map(([name, proto]) => [name, namesOf(proto)]));

afterAll(() => {
  for (const [name, proto] of Object.entries(shared)) expect(namesOf(proto), `${name}.prototype gained members`).toEqual(before[name]);
});
