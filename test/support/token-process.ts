// A separate process asking for the access token, for the multi-process single-flight test. It connects
// to the shared Redis, says "ready", waits for "go" on stdin, asks for the token from several callers at
// once, and prints one JSON line: the tokens it got and whether this process fetched or waited.
// Env: WX_API_BASE, WX_APPID, WX_SECRET, REDIS_URL, REDIS_PREFIX, CALLERS.
import readline from 'node:readline';
import { openStore } from '../../app/store';
import { WechatClient } from '../../app/wechat/api-client';

async function main() {
  const env = process.env;
  const store = await openStore(env.REDIS_URL, { prefix: env.REDIS_PREFIX });
  const client = new WechatClient({ appId: env.WX_APPID!, appSecret: env.WX_SECRET!, apiBase: env.WX_API_BASE!, store });
  const lines = readline.createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  for await (const line of lines) if (line.trim() === 'go') break;
  lines.close();
  const callers = Number(env.CALLERS ?? 5);
  try {
    const tokens = await Promise.all(Array.from({ length: callers }, () => client.tokens.getToken()));
    process.stdout.write(JSON.stringify({ tokens, stats: client.tokens.stats }) + '\n');
  } catch (err) {
    process.stdout.write(JSON.stringify({ error: String(err) }) + '\n');
    process.exitCode = 1;
  } finally {
    await store.close();
  }
}

void main();
