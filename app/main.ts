// The process entry: `npm start` (web + workers), `ROLE=web`, `npm run worker` (ROLE=worker).
import { ConfigError, loadConfig } from './config';
import { closeDeps, openDeps } from './lifecycle';
import { startServer, type RunningServer } from './server';
import { startWorkers } from './assemble';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const deps = await openDeps(config);
  const { log } = deps;
  let server: RunningServer | null = null;
  let worker: Awaited<ReturnType<typeof startWorkers>> | null = null;
  if (config.role === 'worker') {
    worker = await startWorkers(deps);
    log.info({ owner: worker.owner }, 'notice worker running');
  } else {
    server = await startServer(deps);
    log.info({ url: server.url, console: `${server.consoleUrl}/ops/`, database: config.databaseUrl.split(':')[0], store: deps.store.kind, wechatApi: server.apiBase }, 'listening');
    const simulator = config.wechat.simulated && !config.wechat.apiBase;
    console.log(`\n  防骚扰 fangsaorao is running: ${server.url}/${simulator ? 'simulator/' : ''}\n  operators' console: ${server.consoleUrl}/ops/ (accounts: npm run ops -- operator add NAME --role admin)\n`);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await server?.close();
    await worker?.stop();
    await closeDeps(deps);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
