// POST /carrier/v1/complaints: the network's own complaints feed (subscribers' complaints to the carrier,
// and those 12321 forwarded), behind the carrier API's HMAC authentication. Each complaint is evidence for
// the caller's labels like a subscriber's report, and is idempotent by its id per carrier key.
//   {"complaints":[{"id","caller","category","at","complainant"?,"forwarded12321"?,"dueAt"?,"note"?}]} (≤ 1000)
//   → {"accepted":n,"duplicates":m,"rejected":[{"index","id","error"}]}
import type Router from '@koa/router';
import type { Context } from 'koa';
import { carrierAuth, type CarrierRequest } from './auth';
import { BODY_LIMITS } from './limits';
import { complaintsSchema } from './schemas';
import type { Deps } from '../deps';
import { complaintDueAt } from '../reports/complaint-deadlines';
import { ReportRefused, type ReportService } from '../reports/report-service';

export { COMPLAINTS_MAX, complaintsSchema } from './schemas';
export const COMPLAINTS_MAX_BYTES = BODY_LIMITS.complaints;

export interface ComplaintRouteServices {
  reports: ReportService;
}

export function addCarrierComplaintRoutes(router: Router, deps: Pick<Deps, 'config' | 'store'>, services: ComplaintRouteServices): Router {
  router.post('/carrier/v1/complaints', carrierAuth(deps, { maxBodyBytes: COMPLAINTS_MAX_BYTES }), async (ctx: Context) => {
    const { keyId, body } = ctx.state.carrier as CarrierRequest;
    const parsed = complaintsSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.map(String).join('.') || '(body)';
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', message: `${field}: ${issue.message}`, field };
      return;
    }
    let accepted = 0;
    let duplicates = 0;
    const rejected: { index: number; id: string; error: string }[] = [];
    // In order, one at a time: complaints about one number must see each other for duplicates and bursts.
    for (const [index, c] of parsed.data.complaints.entries()) {
      const at = new Date(c.at);
      const forwarded = c.forwarded12321 ?? false;
      try {
        const r = await services.reports.submit({
          reporter: { kind: 'complaint', keyId, complainant: c.complainant },
          number: c.caller,
          category: c.category,
          channel: 'carrier',
          note: c.note ?? null,
          complaint: { externalId: c.id, forwarded12321: forwarded, dueAt: forwarded ? complaintDueAt(at, c.dueAt ? new Date(c.dueAt) : null) : null, at },
        });
        // A new complaint from a complainant who already complained is stored (it has its own deadline) but
        // adds no weight; only a replayed id is a duplicate of the feed.
        if (r.replay) duplicates++;
        else accepted++;
      } catch (err) {
        if (!(err instanceof ReportRefused)) throw err;
        rejected.push({ index, id: c.id, error: err.code });
      }
    }
    ctx.body = { accepted, duplicates, rejected };
  });
  return router;
}
