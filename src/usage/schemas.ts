import { type Static, Type } from 'typebox';
import { NextPage, PageSize } from '../platform/http/schemas.ts';
import { DateRangeQuery } from '../platform/http/date-range.ts';

/** The filters of `GET /usage` and its analytics. */
const filters = {
  ...DateRangeQuery,
  hub: Type.Optional(Type.String({ maxLength: 100 })),
  instanceId: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$', description: 'calls to this instance' })),
  'keys[]': Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50, description: 'element keys' })),
  'tags[]': Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 50, description: 'calls to instances with any of these tags' })),
  status: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failed')])),
  searchText: Type.Optional(Type.String({ maxLength: 500, description: 'text in the request URI' })),
};

export const UsageQuery = Type.Object({
  ...filters,
  pageSize: Type.Optional(PageSize('100 by default, at most 1000')),
  pageOffset: Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$', description: 'records to skip' })),
  nextPage: Type.Optional(NextPage),
});
export type UsageQuery = Static<typeof UsageQuery>;

export const AnalyticsQuery = Type.Object({
  ...filters,
  interval: Type.Optional(Type.Union([Type.Literal('hour'), Type.Literal('day')], { description: 'day by default' })),
});
export type AnalyticsQuery = Static<typeof AnalyticsQuery>;

export const UsageJson = Type.Object(
  {
    traffic_id: Type.String(),
    request_id: Type.String(),
    user_id: Type.Integer(),
    account_id: Type.Integer(),
    company_id: Type.Integer(),
    company_external_id: Type.String(),
    company_external_name: Type.String(),
    instance_id: Type.Optional(Type.Integer()),
    element_key: Type.Optional(Type.String()),
    element_name: Type.Optional(Type.String()),
    hub: Type.Optional(Type.String()),
    element_api: Type.String({ description: 'Method and route template' }),
    request_uri: Type.String(),
    request_status: Type.String({ description: 'success or failed' }),
    http_status: Type.Integer(),
    request_ip: Type.String(),
    process_time: Type.Number({ description: 'milliseconds' }),
    vendor_calls: Type.Integer(),
    vendor_time: Type.Number({ description: 'milliseconds spent in vendor calls' }),
    traffic_date: Type.String(),
  },
  { title: 'Usage' },
);
export type UsageJson = Static<typeof UsageJson>;

export const LatencyItem = Type.Object(
  {
    timestamp: Type.String(),
    count: Type.Integer(),
    p95: Type.Number({ description: 'milliseconds: 95 of 100 calls of the period took at most this long' }),
  },
  { title: 'UsageLatency' },
);

export const AnalyticsItem = Type.Object(
  {
    timestamp: Type.String(),
    count: Type.Integer(),
    status: Type.Optional(Type.String()),
    instanceId: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  },
  { title: 'UsageAnalytics' },
);
