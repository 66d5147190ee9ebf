import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBindAddress } from './metrics.js';

test('bind addresses as Kubernetes components take them', () => {
  assert.deepEqual(parseBindAddress('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseBindAddress(':8080'), { host: '0.0.0.0', port: 8080 });
  assert.deepEqual(parseBindAddress('[::1]:9090'), { host: '::1', port: 9090 });
  assert.throws(() => parseBindAddress('localhost:http'), /invalid bind address "localhost:http": use host:port/);
  assert.throws(() => parseBindAddress('1.2.3.4:70000'), /invalid bind address/);
});
