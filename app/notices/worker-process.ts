// A process that only runs the notice workers (and the retention job they schedule): `npm run worker`
// through app/main.ts, or directly `node dist/app/notices/worker-process.js`. SIGTERM/SIGINT finish the
// batch in hand, then exit; a SIGKILL is covered by the leases.
import { loadConfig } from '../config';
import { closeDeps, openDeps } from '../lifecycle';
import { noticeChannels, type ChannelOptions } from '../assemble';
import type { NoticeChannels } from './channels';
import { startNoticeWorker, type NoticeWorker, type NoticeWorkerOptions } from './worker';

export interface WorkerProcessOptions extends NoticeWorkerOptions, ChannelOptions {
  /** Replaces the real WeChat/SMS channels. */
  channels?: NoticeChannels;
}

export async function runNoticeWorkerProcess(opts: WorkerProcessOptions = {}): Promise<NoticeWorker> {
  const deps = await openDeps(loadConfig());
  const worker = startNoticeWorker(deps, opts.channels ?? noticeChannels(deps, opts), opts);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.log.info({ signal }, 'notice worker stopping');
    await worker.stop();
    await closeDeps(deps);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  return worker;
}

if (require.main === module) {
  runNoticeWorkerProcess().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
