// The public-service numbers (公共服务号码) that are never blocked, as the console needs them: a small port
// so the page works against whichever store keeps the list (built-in numbers plus the operator's own).
export interface PublicServiceEntry {
  number: string;
  name: string;
  builtIn: boolean;
  addedBy?: string | null;
  addedAt?: Date | null;
}

export interface PublicServiceList {
  list(): Promise<PublicServiceEntry[]>;
  add(p: { number: string; name: string; operator: string }): Promise<void>;
  remove(p: { number: string; operator: string }): Promise<void>;
}

/** The operator's list as the decision engine keeps it (app/protection/public-service-sync.ts), for the page. */
export function publicServiceListOf(admin: {
  list(): Promise<{ value: string; note?: string | null; builtIn: boolean; addedBy?: string | null; createdAt?: string | null }[]>;
  add(raw: string, note: string | null, addedBy: string): Promise<unknown>;
  remove(raw: string): Promise<unknown>;
}): PublicServiceList {
  return {
    list: async () => (await admin.list()).map((e) => ({ number: e.value, name: e.note ?? '', builtIn: e.builtIn, addedBy: e.addedBy ?? null, addedAt: e.createdAt ? new Date(e.createdAt) : null })),
    add: async ({ number, name, operator }) => void (await admin.add(number, name, operator)),
    remove: async ({ number }) => void (await admin.remove(number)),
  };
}
