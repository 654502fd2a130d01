// JSON lines through pino. Every string that leaves through the logger passes the phone mask, so a
// careless `log.info({phone})` still prints 138****8000.
import pino, { Logger } from 'pino';
import { maskPhonesInText } from './privacy/mask';

function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPhonesInText(value);
  if (typeof value === 'number' && Number.isInteger(value) && value > 1e10 && value < 2e10) return maskPhonesInText(String(value));
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { type: value.name, message: maskPhonesInText(value.message), stack: maskPhonesInText(value.stack ?? '') };
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrub(v, depth + 1);
  return out;
}

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (obj) => scrub(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => scrub(a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

export type { Logger };
