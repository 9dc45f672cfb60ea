import { type RawBuilder, type SqlBool, sql } from 'kysely';

/**
 * Whether a row of an outbox (event or notification deliveries: `status`, `next_attempt_at`,
 * `locked_until`) may be taken for an attempt at `now`: pending and due, or held by a sender whose
 * lease ran out (its process died mid-attempt).
 */
export function takeable(now: Date): RawBuilder<SqlBool> {
  const at = now.toISOString();
  return sql<SqlBool>`((status = 'pending' and next_attempt_at <= ${at}) or (status = 'sending' and locked_until < ${at}))`;
}
