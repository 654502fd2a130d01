// The OpenAPI client configuration every Alibaba Cloud SDK here is built with (SMS, number authentication):
// the account's key pair, the endpoint split into host and protocol, one region, and deliberate timeouts.
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { splitEndpoint } from './endpoint';

export function aliyunClientConfig(o: { accessKeyId: string; accessKeySecret: string; endpoint?: string; timeoutMs?: number }, defaultHost: string): $OpenApiUtil.Config {
  const { protocol, host } = splitEndpoint(o.endpoint ?? defaultHost);
  const timeoutMs = o.timeoutMs ?? 5000;
  return new $OpenApiUtil.Config({
    accessKeyId: o.accessKeyId,
    accessKeySecret: o.accessKeySecret,
    endpoint: host,
    protocol,
    regionId: 'cn-hangzhou',
    readTimeout: timeoutMs,
    connectTimeout: timeoutMs,
  });
}
