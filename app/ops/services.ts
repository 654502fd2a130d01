// The services an operator command works through, built once per command from the opened Deps.
import type { Deps } from '../deps';
import { AppealService } from '../reports/appeal-service';
import { DbLabelPort } from '../reports/label-evidence';
import { ReportReview } from '../reports/report-review';
import { ReportService } from '../reports/report-service';
import { ListsService } from '../settings/lists-service';
import { ProtectionService } from '../settings/protection-service';

export function opsServices(deps: Deps) {
  const labels = new DbLabelPort(deps.db);
  const reports = new ReportService(deps, labels);
  const protection = new ProtectionService(deps.db, deps.store);
  const lists = new ListsService(deps.db, deps.store, protection, deps.vault);
  return { labels, reports, review: new ReportReview(deps, labels, reports), appeals: new AppealService(deps, labels, lists) };
}

export type OpsServices = ReturnType<typeof opsServices>;
