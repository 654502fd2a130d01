// What a scrub needs to know of each enrolled subscriber: whether protection is on, and which categories
// they refuse when. Looked up by keyed hash, many numbers per round trip (a scrub asks for thousands).
import type { DataSource } from 'typeorm';
import type { TimeWindows } from '../protection/preferences';

export interface Refusal {
  paused: boolean;
  /** category → mode; a category absent from the document is refused (the protective default). */
  modes: Record<string, string>;
  /** Present when the subscriber refuses marketing only inside these windows. */
  windows: TimeWindows | null;
}

/**
 * The port the scrub reads subscribers through: normalised mobile → refusal of an enrolled, enabled
 * subscriber. `hashOf` gives a number's lookup hash, for a source that must search by it (the database).
 */
export interface RefusalSource {
  lookup(numbers: readonly string[], hashOf: (number: string) => string): Promise<Map<string, Refusal>>;
}

type Raw = Record<string, unknown>;
const parse = (v: unknown): Raw => {
  if (v && typeof v === 'object') return v as Raw;
  try {
    return v ? (JSON.parse(String(v)) as Raw) : {};
  } catch {
    return {};
  }
};

export function refusalOf(row: Raw): Refusal {
  const options = parse(row.options) as { timeWindows?: TimeWindows };
  const tw = options.timeWindows;
  return {
    paused: row.paused === true || Number(row.paused) === 1,
    modes: parse(row.categoryModes) as Record<string, string>,
    windows: tw && tw.mode === 'windows' ? tw : null,
  };
}

/** The database, one query per `chunk` hashes. */
export class DbRefusalSource implements RefusalSource {
  constructor(
    private readonly db: DataSource,
    private readonly chunk = 1000,
  ) {}

  async lookup(numbers: readonly string[], hashOf: (number: string) => string): Promise<Map<string, Refusal>> {
    const numberOf = new Map<string, string>();
    for (const n of numbers) numberOf.set(hashOf(n), n);
    const hashes = [...numberOf.keys()];
    const out = new Map<string, Refusal>();
    const parts: string[][] = [];
    for (let i = 0; i < hashes.length; i += this.chunk) parts.push(hashes.slice(i, i + this.chunk) as string[]);
    const results = await Promise.all(
      parts.map(
        (part) =>
          this.db.query(
            `SELECT b.phoneHash, s.paused, s.categoryModes, s.options FROM phone_binding b JOIN protection_settings s ON s.subscriberId = b.subscriberId
              WHERE s.enabled = 1 AND b.phoneHash IN (${part.map(() => '?').join(',')})`,
            part,
          ) as Promise<Raw[]>,
      ),
    );
    for (const rows of results) for (const r of rows) out.set(numberOf.get(String(r.phoneHash))!, refusalOf(r));
    return out;
  }
}
