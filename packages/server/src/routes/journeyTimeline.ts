import { getJourney } from '@waymark/engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServerContext } from '../context.ts';
import { decode } from '../decode.ts';
import { notFound } from '../problem.ts';
import { canSee } from '../visibility.ts';

const IdParams = z.object({ id: z.string().min(1).max(200) });
const TimelineQuery = z.object({ bucket: z.enum(['hour', 'day']).optional() });

/**
 * Email activity of a journey over time, one row a bucket (UTC): sends from the outbox, deliveries,
 * opens and clicks from the events the engine records. One statement; buckets without activity
 * are left out.
 */
const TIMELINE_SQL = `
  with activity as (
    select date_trunc($2, sent_at at time zone 'UTC') as bucket, 1 as sent, 0 as delivered, 0 as opened, 0 as clicked
      from outbox where journey_id = $1 and kind = 'email' and status = 'sent' and sent_at is not null
    union all
    select date_trunc($2, occurred_at at time zone 'UTC'),
           0,
           (type = 'email_delivered')::int,
           (type = 'email_opened')::int,
           (type = 'email_clicked')::int
      from events where properties ->> 'journeyId' = $1 and type in ('email_delivered', 'email_opened', 'email_clicked')
  )
  select to_char(bucket, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at,
         sum(sent)::int as sent, sum(delivered)::int as delivered, sum(opened)::int as opened, sum(clicked)::int as clicked
    from activity group by bucket order by bucket`;

export function journeyTimelineRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db } = ctx;
  app.get('/journeys/:id/timeline', async (request) => {
    const { id } = decode(IdParams, request.params);
    const { bucket = 'day' } = decode(TimelineQuery, request.query);
    const journey = await getJourney(db, id);
    if (!journey || !canSee(request.caller, journey.businessUnitId)) throw notFound('Journey', id);
    const items = await db.query(TIMELINE_SQL, [journey.id, bucket]);
    return { items, nextCursor: null };
  });
}
