import { type Static, Type } from 'typebox';
import { NextPage, PageSize } from '../platform/http/schemas.ts';

const Headers = Type.Record(Type.String(), Type.String(), { description: 'Authorization, cookies and secret-named headers show [redacted]' });

export const TraceJson = Type.Object(
  {
    id: Type.String(),
    instanceId: Type.Integer(),
    requestId: Type.Union([Type.String(), Type.Null()], { description: "The API call's Elements-Request-Id; null for a poll's calls" }),
    method: Type.String(),
    url: Type.String(),
    status: Type.Union([Type.Integer(), Type.Null()], { description: 'null when no answer came' }),
    error: Type.Optional(Type.String()),
    duration: Type.Number({ description: 'milliseconds' }),
    date: Type.String(),
    request: Type.Object({ headers: Headers, body: Type.Union([Type.String(), Type.Null()]) }),
    response: Type.Union([Type.Object({ headers: Headers, body: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  },
  { title: 'VendorTrace', description: 'One vendor call of an instance with trace logging on; bodies are cut at 64 KB, configured secrets show ********' },
);
export type TraceJson = Static<typeof TraceJson>;

export const TraceQuery = Type.Object({
  pageSize: Type.Optional(PageSize('50 by default, at most 200')),
  nextPage: Type.Optional(NextPage),
});
