// What the console provider "delivered": the last few messages per phone, in memory, for the embedded
// simulator page to show as a phone's inbox. Bounded both ways so a long-running demo cannot grow it.

export interface InboxMessage {
  at: Date;
  purpose: string;
  template: string;
  text: string;
}

export class SmsInbox {
  private readonly byPhone = new Map<string, InboxMessage[]>();

  constructor(
    private readonly perPhone = 20,
    private readonly maxPhones = 1000,
  ) {}

  add(phone: string, message: InboxMessage): void {
    const list = this.byPhone.get(phone) ?? [];
    // Re-inserting keeps the Map in least-recently-written order, so eviction drops the stalest phone.
    this.byPhone.delete(phone);
    list.push(message);
    if (list.length > this.perPhone) list.splice(0, list.length - this.perPhone);
    this.byPhone.set(phone, list);
    while (this.byPhone.size > this.maxPhones) this.byPhone.delete(this.byPhone.keys().next().value!);
  }

  /** Newest last. */
  list(phone: string): InboxMessage[] {
    return [...(this.byPhone.get(phone) ?? [])];
  }

  clear(): void {
    this.byPhone.clear();
  }
}
