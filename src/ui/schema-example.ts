interface Schema {
  type?: string;
  readOnly?: boolean;
  properties?: Record<string, Schema>;
  $ref?: string;
}

/**
 * A starting body for a write, from the operation's Swagger schema: every writable member, empty,
 * so the user sees what can be sent and deletes what is not needed. Read-only members are left
 * out (the vendor would refuse them); nesting stops at four levels.
 */
export function exampleOf(schema: Schema | undefined, definitions: Record<string, Schema>, depth = 0): unknown {
  if (!schema || depth > 4) return undefined;
  const resolved = schema.$ref ? definitions[schema.$ref.replace('#/definitions/', '')] : schema;
  if (!resolved) return undefined;
  switch (resolved.type) {
    case 'string':
      return '';
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    default: {
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(resolved.properties ?? {})) {
        if (member.readOnly) continue;
        const value = exampleOf(member, definitions, depth + 1);
        if (value !== undefined) out[name] = value;
      }
      return out;
    }
  }
}
