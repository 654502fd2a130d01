// Gateway endpoints are configured as a bare host (production: `dysmsapi.aliyuncs.com`) or as a URL with a
// scheme (tests and private deployments: `http://127.0.0.1:8123`). The SDKs want host and protocol apart.
export function splitEndpoint(endpoint: string): { protocol: 'http' | 'https'; host: string } {
  const m = /^(https?):\/\/([^/]+)\/?$/i.exec(endpoint.trim());
  if (m) return { protocol: m[1].toLowerCase() as 'http' | 'https', host: m[2] };
  return { protocol: 'https', host: endpoint.trim().replace(/\/$/, '') };
}
