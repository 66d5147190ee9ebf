import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultServiceSpec, inServiceCIDR, ServiceAllocator, type ServiceSpec } from './services.js';
import { computeHash, safeEncode } from './hash.js';
import { parseQuantity, schedulingValue } from './quantity.js';

describe('ServiceAllocator', () => {
  it('allocates free IPs of 10.96.0.0/12 and node ports of 30000-32767', () => {
    let seq = 0;
    const alloc = new ServiceAllocator(undefined, () => [0, 0, 0.5][seq++ % 3]!);
    const used = { ips: new Set(['10.96.0.11']), nodePorts: new Set([30000]) };
    const ip = alloc.allocateIP(used, 0);
    assert.notEqual(ip, '10.96.0.11');
    assert.ok(inServiceCIDR(ip));
    assert.equal(alloc.isReservedIP(ip), true);
    const port = alloc.allocateNodePort(used, 0);
    assert.ok(port > 30000 && port <= 32767);
    assert.equal(inServiceCIDR('10.112.0.1'), false);
    assert.equal(inServiceCIDR('10.111.255.254'), true);
  });

  it('defaults a Service spec like the API server', () => {
    const spec: ServiceSpec = { type: 'LoadBalancer', ports: [{ port: 80 }] };
    defaultServiceSpec(spec);
    assert.deepEqual(spec, {
      type: 'LoadBalancer',
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      externalTrafficPolicy: 'Cluster',
      allocateLoadBalancerNodePorts: true,
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
    });
  });
});

describe('quantities and hashes', () => {
  it('parses quantities to scheduler units', () => {
    assert.equal(parseQuantity('32Gi'), 32 * 2 ** 30);
    assert.equal(parseQuantity('1.5'), 1.5);
    assert.equal(parseQuantity('1e3'), 1000);
    assert.equal(schedulingValue('cpu', '100m'), 100);
    assert.equal(schedulingValue('cpu', '0.1'), 100);
    assert.equal(schedulingValue('cpu', '2'), 2000);
    assert.equal(schedulingValue('memory', '1M'), 1e6);
    assert.throws(() => parseQuantity('lots'), /invalid quantity "lots"/);
  });

  it('hashes templates into safe, stable strings', () => {
    assert.equal(safeEncode('0123456789'), 'bcdfghjklm'.split('').map((_, i) => 'bcdfghjklmnpqrstvwxz2456789'[(48 + i) % 27]).join(''));
    const a = computeHash({ spec: { containers: [{ name: 'c', image: 'x' }] }, metadata: { labels: { a: 'b' } } });
    const b = computeHash({ metadata: { labels: { a: 'b' } }, spec: { containers: [{ image: 'x', name: 'c' }] } });
    assert.equal(a, b);
    assert.match(a, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });
});
