// What the carrier routes need from the domain, as small interfaces: the decision engine
// (app/protection/decider.ts) and the label feed (app/labels/service.ts) plug in here.
import type { Decision, LabelChange, ScreenCall } from './schemas';

export interface ScreenService {
  screen(call: ScreenCall): Promise<Decision>;
  /** One decision per call, in order; the same answers as screen() one by one. */
  screenBatch(calls: ScreenCall[]): Promise<Decision[]>;
}

export interface LabelFeed {
  /** Changes (tombstones included) with version > since, ascending by version, at most `limit`. */
  changesSince(since: number, limit: number): Promise<LabelChange[]>;
}
