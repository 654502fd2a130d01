// How long a one-tap token lives, by the carrier that issued it (the providers' documentation): China
// Mobile 2 minutes, China Telecom 10, China Unicom 30. The carrier is told by the number's segment.
export type Carrier = 'mobile' | 'telecom' | 'unicom';

const TELECOM = /^1(33|49|53|62|73|74|77|80|81|89|90|91|93|99)/;
const UNICOM = /^1(30|31|32|45|46|55|56|66|67|71|75|76|85|86|96)/;

export function carrierOf(phone: string): Carrier {
  if (TELECOM.test(phone)) return 'telecom';
  if (UNICOM.test(phone)) return 'unicom';
  return 'mobile';
}

export const TOKEN_TTL_MS: Record<Carrier, number> = { mobile: 2 * 60_000, telecom: 10 * 60_000, unicom: 30 * 60_000 };
