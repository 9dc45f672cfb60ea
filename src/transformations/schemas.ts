import { Type, type Static } from 'typebox';
import { NumericId } from '../platform/http/schemas.ts';

/** Object definitions and transformations (open-connectors-api.md §8), shared by the routes and the console. */

const Level = Type.Union([Type.Literal('organization'), Type.Literal('account'), Type.Literal('instance')]);

/** The types of an object definition's fields, and so of a transformation's. */
const FIELD_TYPES = 'string, number, boolean, date, object or array';
const fieldType = (description = FIELD_TYPES) =>
  Type.Union([Type.Literal('string'), Type.Literal('number'), Type.Literal('boolean'), Type.Literal('date'), Type.Literal('object'), Type.Literal('array')], {
    description,
  });
const properties = Type.Optional(Type.Object({ fromVendor: Type.Optional(Type.Boolean()), toVendor: Type.Optional(Type.Boolean()) }));
/** How a whole transformation treats the vendor object's other members. */
export const ConfigEntry = Type.Object({
  type: Type.Union([Type.Literal('passThrough'), Type.Literal('inherit'), Type.Literal('addToDocumentation'), Type.Literal('remove')]),
  properties,
});
export type ConfigEntry = Static<typeof ConfigEntry>;
/** How one field is treated: left out of one direction (`remove`), or passed or inherited as it is. */
const FieldConfigEntry = Type.Object({
  type: Type.Union([Type.Literal('remove'), Type.Literal('passThrough'), Type.Literal('inherit')]),
  properties,
});

export const DefinitionField = Type.Object(
  { path: Type.String({ maxLength: 500, description: 'A dotted path of names: a.b.c' }), type: fieldType() },
  { additionalProperties: true },
);

export const DefinitionBody = Type.Object(
  {
    fields: Type.Array(DefinitionField, { minItems: 1, maxItems: 1000, description: 'At least one: [{"path": "id", "type": "string"}]' }),
  },
  { title: 'ObjectDefinitionInput', additionalProperties: true },
);
export type DefinitionBody = Static<typeof DefinitionBody>;

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
    path: Type.String({ maxLength: 500, description: "A field of the object's definition" }),
    type: Type.Optional(fieldType(`${FIELD_TYPES}; left out, the object definition gives it`)),
    vendorPath: Type.Optional(
      Type.String({ maxLength: 500, description: 'A dotted path of names, each with an optional [index] of at most 999 or [*]; the path when left out' }),
    ),
    vendorType: Type.Optional(Type.String({ maxLength: 50 })),
    mask: Type.Optional(Type.String({ maxLength: 100, description: "A date's form, e.g. yyyy-MM-dd'T'HH:mm:ss.SSSZ, or milliseconds or seconds" })),
    configuration: Type.Optional(Type.Array(FieldConfigEntry, { maxItems: 20 })),
  },
  { additionalProperties: true },
);

export const TransformationBody = Type.Object(
  {
    vendorName: Type.String({ minLength: 1, maxLength: 200, description: "The element's vendor object, e.g. issue" }),
    fields: Type.Array(FieldMapping, { maxItems: 1000 }),
    configuration: Type.Optional(Type.Array(ConfigEntry, { maxItems: 20 })),
    script: Type.Optional(Type.Object({ body: Type.String({ maxLength: 64 * 1024 }), mimeType: Type.Optional(Type.String()) })),
    isLegacy: Type.Optional(Type.Boolean()),
  },
  { title: 'TransformationInput', additionalProperties: true },
);
export type TransformationBody = Static<typeof TransformationBody>;

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
