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
