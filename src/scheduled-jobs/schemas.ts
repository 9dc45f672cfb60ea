import { type Static, Type } from 'typebox';
import { AnyJson, NextPage, PageSize } from '../platform/http/schemas.ts';

const Method = Type.Union([Type.Literal('GET'), Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('PATCH'), Type.Literal('DELETE')]);
const Strings = (description: string) => Type.Record(Type.String({ maxLength: 200 }), Type.String({ maxLength: 4000 }), { maxProperties: 50, description });
const Trigger = Type.Object(
  {
    cron: Type.String({
      minLength: 1,
      maxLength: 200,
      description:
        'A Quartz cron expression in UTC: seconds minutes hours day-of-month month day-of-week [year], days of the week 1-7 for Sunday-Saturday, e.g. "0 0/15 * * * ?"',
    }),
  },
  { additionalProperties: false },
);

export const NewJobBody = Type.Object(
  {
    method: Method,
    uri: Type.String({
      minLength: 1,
      maxLength: 2000,
      description: 'A path of this API, e.g. /elements/api-v2/hubs/helpdesk/incidents; a query may follow it',
    }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    trigger: Trigger,
    body: Type.Optional(AnyJson),
    query: Type.Optional(Strings('Query parameters added to the call')),
    headers: Type.Optional(
      Strings(
        "Headers of the call. Without Authorization, the call is made as the user who made the job, with this request's Element token; Elements-Async-Request and Elements-Async-Callback-Url send its answer to a callback",
      ),
    ),
  },
  { additionalProperties: false, title: 'NewJob' },
);
export type NewJobBody = Static<typeof NewJobBody>;

export const JobJson = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.Optional(Type.String()),
    method: Method,
    uri: Type.String(),
    query: Type.Record(Type.String(), Type.String(), { description: 'Secret-named parameters show ********' }),
    body: Type.Optional(Type.Unknown({ description: 'The JSON body, secret-named members showing ********' })),
    headers: Type.Record(Type.String(), Type.String(), { description: 'Authorization and secret-named headers show ********' }),
    trigger: Type.Object({ cron: Type.String() }),
    createdDate: Type.String(),
    nextFireDate: Type.Union([Type.String(), Type.Null()], { description: 'null once the trigger fires no more' }),
    lastFire: Type.Union(
      [
        Type.Object({
          date: Type.String(),
          status: Type.Union([Type.Integer(), Type.Null()], { description: "The call's HTTP status; null while it runs or when it could not be made" }),
          requestId: Type.Union([Type.String(), Type.Null()], { description: "The call's Elements-Request-Id: its usage record is GET /usage/{requestId}" }),
          error: Type.Optional(Type.String()),
          finishedDate: Type.Union([Type.String(), Type.Null()]),
        }),
        Type.Null(),
      ],
      { description: 'null until the job first fires' },
    ),
  },
  { title: 'Job', description: 'A call of this API made on a cron trigger' },
);
export type JobJson = Static<typeof JobJson>;

export const JobListQuery = Type.Object({
  pageSize: Type.Optional(PageSize('50 by default, at most 200')),
  nextPage: Type.Optional(NextPage),
});

/** A job's id: 24 hexadecimal digits. */
export const JOB_ID = /^[0-9a-f]{24}$/;
export const JobIdParams = Type.Object({ id: Type.String({ pattern: JOB_ID.source, description: 'The id POST /jobs answered' }) });
