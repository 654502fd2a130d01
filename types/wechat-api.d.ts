// The part of wechat-api 1.35 (node-webot, callback style, untyped) that app/wechat/api-client.ts uses.
// Only the unwrapped `_method`s are declared for API calls: the public ones go through its preRequest,
// whose 40001 retry reuses the stale token.
declare module 'wechat-api' {
  namespace API {
    interface StoredToken {
      accessToken: string;
      /** Epoch milliseconds. */
      expireTime: number;
    }

    /** urllib 2 options; `timeout` is ms, or [connect ms, response ms]. */
    interface RequestOptions {
      method?: 'GET' | 'POST';
      type?: 'GET' | 'POST';
      dataType?: 'json' | 'text';
      data?: unknown;
      content?: string | Buffer;
      headers?: Record<string, string>;
      timeout?: number | [number, number];
    }

    interface ResponseMeta {
      status: number;
      headers: Record<string, string | string[] | undefined>;
    }

    /** urllib's errors carry names such as ConnectionTimeoutError, ResponseTimeoutError, RequestError. */
    type Callback<T> = (err: (Error & { code?: number | string }) | null, data: T, res?: ResponseMeta) => void;
  }

  class API {
    constructor(
      appid: string,
      appsecret: string,
      getToken?: (callback: (err: Error | null, token?: API.StoredToken | null) => void) => void,
      saveToken?: (token: API.StoredToken, callback: (err: Error | null) => void) => void,
    );
    appid: string;
    appsecret: string;
    /** Assigned directly: `setEndpoint` forces https and a bare host. */
    endpoint: string;
    /** The token the next unwrapped `_method` call puts into its URL. */
    token?: { accessToken: string };
    setOpts(opts: API.RequestOptions): void;
    request<T = unknown>(url: string, opts: API.RequestOptions, callback: API.Callback<T>): void;

    _createMenu(menu: unknown, callback: API.Callback<unknown>): void;
    _getMenu(callback: API.Callback<unknown>): void;
    _sendText(openid: string, text: string, callback: API.Callback<unknown>): void;
  }

  export = API;
}
