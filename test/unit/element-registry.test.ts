import { describe, expect, it } from 'vitest';
import { ElementRegistry } from '../../src/elements/registry.ts';
import { element as jira } from '../../src/elements/jiraonprem/element.ts';
import type { HubOperation } from '../../src/hubs/hub-contract.ts';

/** Jira's element with its hub operations changed by `change`. */
const withOperations = (change: (ops: HubOperation[]) => HubOperation[]) => ({ ...jira, hub: { ...jira.hub!, operations: change(jira.hub!.operations) } });

describe('element registry', () => {
  it("installs an element whose operations are its hub's, each taking what the hub says it takes", () => {
    expect(new ElementRegistry([jira]).hubs().map((h) => h.key)).toEqual(['helpdesk']);
  });

  it('refuses an operation the hub does not have', () => {
    const extra = withOperations((ops) => [...ops, { ...ops[0]!, method: 'DELETE', path: 'priorities/:id' }]);
    expect(() => new ElementRegistry([extra])).toThrow(/registers DELETE priorities\/:id, which the helpdesk hub does not have/);
  });

  it('refuses an upload the hub takes as JSON, and JSON where it takes an upload', () => {
    const notUpload = withOperations((ops) => ops.map((op) => (op.upload ? { ...op, upload: false } : op)));
    expect(() => new ElementRegistry([notUpload])).toThrow(/POST incidents\/:id\/attachments not as an upload/);
    const upload = withOperations((ops) => ops.map((op) => (op.method === 'POST' && op.path === 'incidents' ? { ...op, upload: true } : op)));
    expect(() => new ElementRegistry([upload])).toThrow(/POST incidents as an upload/);
  });
});
