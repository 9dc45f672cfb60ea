import { Type, type TSchema } from 'typebox';
import { AnyJson, errorResponses, NextPage, PageNumber, PageSize } from '../platform/http/schemas.ts';

/** Hub calls (open-connectors-api.md §4–5): the conventions every hub resource shares. */

/** Paging, CEQL and the hub's own switches; any other parameter goes to the vendor as it is. */
export const HubQuery = Type.Object(
  {
    where: Type.Optional(Type.String({ maxLength: 10_000, description: 'CEQL' })),
    orderBy: Type.Optional(Type.String({ maxLength: 2000, description: 'CEQL order, e.g. updated desc' })),
    page: Type.Optional(PageNumber),
    pageSize: Type.Optional(PageSize('200 by default, at most 1000')),
    nextPage: Type.Optional(NextPage),
    fields: Type.Optional(Type.String({ maxLength: 10_000 })),
    raw: Type.Optional(Type.String({ description: "true: each object with the vendor's own beside it" })),
  },
  { additionalProperties: Type.Union([Type.String({ maxLength: 10_000 }), Type.Array(Type.String({ maxLength: 10_000 }))]) },
);

/** Longest hub name and path parameter a hub route takes (the read lane keeps to them too). */
export const HUB_NAME_MAX = 100;
export const HUB_PARAM_MAX = 500;

/** `/hubs/{hub}/a/:id/b/:bId` → the parameters of that path, as text. */
export function hubPathParams(url: string): TSchema | undefined {
  const names = [...url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
  if (names.length === 0) return undefined;
  return Type.Object(
    Object.fromEntries(
      names.map((n) => [
        n,
        n === 'hub'
          ? Type.String({ maxLength: HUB_NAME_MAX, description: 'Any hub name; the instance decides' })
          : Type.String({ minLength: 1, maxLength: HUB_PARAM_MAX }),
      ]),
    ),
  );
}

/** What a hub operation answers: the vendor's object, list or bytes, passed on. */
export const hubResponses = {
  200: Type.Unknown({ description: "The vendor's object, or a list of them (Elements-* headers give the paging)" }),
  ...errorResponses,
};

export const HubBody = AnyJson;

export const ObjectFieldJson = Type.Object(
  {
    vendorPath: Type.String(),
    vendorDisplayName: Type.String(),
    type: Type.String(),
    vendorNativeType: Type.String(),
    vendorRequired: Type.Boolean(),
    vendorReadOnly: Type.Boolean(),
    filterable: Type.Boolean(),
    hidden: Type.Boolean(),
    custom: Type.Optional(Type.Boolean()),
  },
  { title: 'ObjectField' },
);
