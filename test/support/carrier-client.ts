// A carrier network's client, signing exactly as docs/interfaces.md says, with its own HMAC code (it must
// not borrow the server's, or a shared mistake would pass unseen). Tests and benches drive the API with it.
import crypto from 'node:crypto';
import http from 'node:http';

export interface SignInput {
  keyId: string;
  secret: string;
  method: string;
  /** The request target as sent, query string included. */
  path: string;
  body?: string | Buffer;
  timestamp?: number | string;
  nonce?: string;
}

export function carrierHeaders(i: SignInput): Record<string, string> {
  const timestamp = String(i.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = i.nonce ?? crypto.randomBytes(16).toString('hex');
  const bodyHex = crypto
    .createHash('sha256')
    .update(i.body ?? '')
    .digest('hex');
  const text = [i.method.toUpperCase(), i.path, timestamp, nonce, bodyHex].join('\n');
  const signature = crypto.createHmac('sha256', i.secret).update(text, 'utf8').digest('hex');
  return { 'X-Key-Id': i.keyId, 'X-Timestamp': timestamp, 'X-Nonce': nonce, 'X-Signature': signature };
}

export interface CarrierResponse<T = any> {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The parsed body when it is JSON, else undefined. */
  json: T;
}

export interface SendOptions {
  /** Sent as-is instead of JSON.stringify(body) (malformed or oversized bodies). */
  raw?: string | Buffer;
  timestamp?: number | string;
  nonce?: string;
  /** Replaces the computed signature. */
  signature?: string;
  /** Signs with another key id / secret than the client's. */
  keyId?: string;
  secret?: string;
  /** Signs this body but sends `raw` (a body altered in transit). */
  signedBody?: string;
  headers?: Record<string, string>;
}

export class CarrierClient {
  readonly agent: http.Agent;

  constructor(
    readonly baseUrl: string,
    readonly keyId: string,
    readonly secret: string,
    /** Keep-alive connections this client may open; 1 makes it one connection. */
    maxSockets = 8,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  post<T = any>(path: string, body: unknown, o: SendOptions = {}): Promise<CarrierResponse<T>> {
    return this.send<T>('POST', path, o.raw ?? JSON.stringify(body), o);
  }

  get<T = any>(path: string, o: SendOptions = {}): Promise<CarrierResponse<T>> {
    return this.send<T>('GET', path, o.raw ?? '', o);
  }

  send<T>(method: string, path: string, payload: string | Buffer, o: SendOptions = {}): Promise<CarrierResponse<T>> {
    const signed = carrierHeaders({
      keyId: o.keyId ?? this.keyId,
      secret: o.secret ?? this.secret,
      method,
      path,
      body: o.signedBody ?? payload,
      timestamp: o.timestamp,
      nonce: o.nonce,
    });
    if (o.signature !== undefined) signed['X-Signature'] = o.signature;
    const url = new URL(path, this.baseUrl);
    const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
    return new Promise((resolve, reject) => {
      const req = http.request(
        { hostname: url.hostname, port: url.port, path, method, agent: this.agent, headers: { 'Content-Type': 'application/json', 'Content-Length': String(bytes.length), ...signed, ...o.headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: any;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
          });
          res.on('error', reject);
        },
      );
      // The server may answer 413 and close before the whole body is written; the answer still counts.
      req.on('error', reject);
      req.end(bytes);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
