import { Type, type Static } from 'typebox';
import { NumericId } from '../platform/http/schemas.ts';

/** Object definitions and transformations (open-connectors-api.md §8), shared by the routes and the console. */

const Level = Type.Union([Type.Literal('organization'), Type.Literal('account'), Type.Literal('instance')]);
const ConfigEntry = Type.Object({
  type: Type.String({ description: 'passThrough, inherit, addToDocumentation or remove' }),
  properties: Type.Optional(Type.Object({ fromVendor: Type.Optional(Type.Boolean()), toVendor: Type.Optional(Type.Boolean()) })),
});

export const DefinitionField = Type.Object({ path: Type.String({ maxLength: 500 }), type: Type.String({ maxLength: 50 }) }, { additionalProperties: true });

export const DefinitionBody = Type.Object(
  {
    fields: Type.Array(DefinitionField, { maxItems: 1000, description: 'At least one: [{"path": "id", "type": "string"}]' }),
  },
  { title: 'ObjectDefinitionInput', additionalProperties: true },
);

export const DefinitionJson = Type.Object(
  {
    objectName: Type.String(),
    level: Level,
    fields: Type.Array(Type.Object({ path: Type.String(), type: Type.String(), level: Level }, { additionalProperties: true })),
  },
  { title: 'ObjectDefinition' },
);
export type DefinitionJson = Static<typeof DefinitionJson>;

const FieldMapping = Type.Object(
  {
    path: Type.String({ maxLength: 500 }),
    type: Type.Optional(
      Type.String({ maxLength: 50, description: 'string, number, boolean, date, object or array; left out, the object definition gives it' }),
    ),
    vendorPath: Type.Optional(Type.String({ maxLength: 500 })),
    vendorType: Type.Optional(Type.String({ maxLength: 50 })),
    mask: Type.Optional(Type.String({ maxLength: 100 })),
    configuration: Type.Optional(Type.Array(ConfigEntry, { maxItems: 20 })),
  },
  { additionalProperties: true },
);

export const TransformationBody = Type.Object(
  {
    vendorName: Type.String({ maxLength: 200, description: "The element's vendor object, e.g. issue" }),
    fields: Type.Array(FieldMapping, { maxItems: 1000 }),
    configuration: Type.Optional(Type.Array(ConfigEntry, { maxItems: 20 })),
    script: Type.Optional(Type.Object({ body: Type.String({ maxLength: 64 * 1024 }), mimeType: Type.Optional(Type.String()) })),
    isLegacy: Type.Optional(Type.Boolean()),
  },
  { title: 'TransformationInput', additionalProperties: true },
);

export const TransformationJson = Type.Object(
  {
    objectName: Type.String(),
    vendorName: Type.String(),
    level: Level,
    fields: Type.Array(Type.Object({ path: Type.String(), type: Type.String(), level: Level }, { additionalProperties: true })),
    configuration: Type.Array(ConfigEntry),
    startDate: Type.Optional(Type.String()),
    isLegacy: Type.Boolean(),
    script: Type.Optional(Type.Object({ body: Type.String() }, { additionalProperties: true })),
  },
  { title: 'Transformation' },
);
export type TransformationJson = Static<typeof TransformationJson>;

export const ObjectName = Type.String({ pattern: '^[A-Za-z0-9_.-]{1,100}$', description: 'An object (common resource) name' });
const KeyOrId = Type.String({ maxLength: 200 });

export const NameParams = Type.Object({ name: ObjectName });
export const IdNameParams = Type.Object({ id: NumericId, name: ObjectName });
export const ElementNameParams = Type.Object({ keyOrId: KeyOrId, name: ObjectName });
export const AccountElementNameParams = Type.Object({ id: NumericId, keyOrId: KeyOrId, name: ObjectName });
export const InstanceParams = Type.Object({ id: NumericId });
export const ElementParams = Type.Object({ keyOrId: KeyOrId });
