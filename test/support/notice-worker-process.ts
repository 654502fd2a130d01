// A notice worker in its own process, as tests and benchmarks spawn it: configuration from the environment
// (DATABASE_URL, REDIS_URL, REDIS_KEY_PREFIX, DATA_KEY, WECHAT_*, SMS_*), tuning as JSON in argv[2]
// (short leases and backoffs for tests). Says { ready: owner } over IPC once it runs.
import { runNoticeWorkerProcess, type WorkerProcessOptions } from '../../app/notices/worker-process';

const opts = JSON.parse(process.argv[2] ?? '{}') as WorkerProcessOptions;
runNoticeWorkerProcess(opts).then(
  (worker) => process.send?.({ ready: worker.owner }),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
