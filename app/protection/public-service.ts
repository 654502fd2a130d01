// Emergency and public-service numbers (公共服务号码): never blocked, labelled or put on a list, whatever a
// subscriber, an import, reports or the attestation say. One list for the whole process: the built-in
// numbers below, plus the operator's additions (table public_service_number, `npm run ops -- public-service`),
// which every process learns through public-service-sync.ts.
//
// Matching is on the normal form (numbers.ts), so every spelling the network sends (+86110, 0086110,
// 17951110 with an IP-dialling prefix) is the same 110.
import { normalizeNumber, type NormalizedNumber } from './numbers';

/** The numbers no operator can remove: emergency services and the anti-fraud warning lines. */
export const BUILT_IN_PUBLIC_SERVICE: ReadonlyMap<string, string> = new Map([
  ['110', '报警'],
  ['119', '火警'],
  ['120', '急救'],
  ['122', '交通事故'],
  ['12110', '短信报警'],
  ['12395', '水上遇险'],
  ['96110', '反诈预警专线'],
  ['12381', '工信部涉诈预警劝阻'],
  ['12345', '政务服务便民热线'],
]);

/** Which normalised values count as public service: the built-in ones and every source's additions. */
class PublicServiceNumbers {
  private readonly sources = new Map<string, ReadonlySet<string>>();
  private all: ReadonlySet<string> = new Set(BUILT_IN_PUBLIC_SERVICE.keys());

  /** Replaces what one source (a database) adds; the union of all sources and the built-ins applies. */
  setAdditions(source: string, values: Iterable<string>): void {
    this.sources.set(source, new Set(values));
    this.rebuild();
  }

  dropSource(source: string): void {
    if (this.sources.delete(source)) this.rebuild();
  }

  private rebuild(): void {
    const all = new Set(BUILT_IN_PUBLIC_SERVICE.keys());
    for (const s of this.sources.values()) for (const v of s) all.add(v);
    this.all = all;
  }

  /** The hot path's check: one Set lookup on the normal form. */
  has(value: string): boolean {
    return this.all.has(value);
  }

  isPublicService(n: NormalizedNumber): boolean {
    return n.kind !== 'invalid' && this.all.has(n.value);
  }

  /** Public-service numbers a reject-list segment would otherwise cover (a segment 96 covers 96110). */
  coveredBy(prefix: string): string[] {
    return [...this.all].filter((v) => v.startsWith(prefix)).sort();
  }

  values(): string[] {
    return [...this.all].sort();
  }
}

export const publicService = new PublicServiceNumbers();

/** Thrown by writers (labels, reports, imports) asked to act on a public-service number. */
export class PublicServiceRefused extends Error {
  readonly code = 'public_service';
  constructor(readonly value: string) {
    super(`${value} is a public-service number: never blocked, labelled or listed`);
  }
}

/** What a public-service number may be stored as: short codes and service numbers only (no personal data). */
export function parsePublicServiceNumber(raw: string): NormalizedNumber | null {
  const n = normalizeNumber(raw);
  if (n.kind !== 'short' && n.kind !== 'service' && n.kind !== 'landline') return null;
  return n;
}
