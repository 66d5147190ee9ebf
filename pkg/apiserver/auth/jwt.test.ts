// JWS primitives: kubeadm's detached cluster-info signatures (vectors from k8s.io/cluster-bootstrap's
// jws_test.go) and RS256 service-account JWTs.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { computeDetachedSignature, detachedTokenIsValid, keyIdFor, parseJWT, signRS256, verifyRS256 } from './jwt.js';
import { createPublicKey } from 'node:crypto';

const CONTENT = 'Hello from the other side. I must have called a thousand times.';
const SECRET = 'my voice is my passcode';

describe('detached JWS (cluster-info signatures)', () => {
  test('matches the signatures kubeadm computes', () => {
    assert.equal(computeDetachedSignature(CONTENT, 'joshua', SECRET), 'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..VShe2taLd-YTrmWuRkcL_8QTNDHYxQIEBsAYYiIj1_8');
    assert.equal(computeDetachedSignature('', 'joshua', SECRET), 'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..7Ui1ALizW4jXphVUB7xUqC9vLYLL9RZeOFfVLoB7Tgk');
    assert.equal(computeDetachedSignature(CONTENT, 'joshua', ''), 'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..UfkqvDGiIFxrMnFseDj9LYJOLNrvjW8aHhF71mvvAs8');
  });

  test('validates only the exact signature', () => {
    const sig = computeDetachedSignature(CONTENT, 'joshua', SECRET);
    assert.ok(detachedTokenIsValid(sig, CONTENT, 'joshua', SECRET));
    assert.ok(!detachedTokenIsValid(`${sig}foo`, CONTENT, 'joshua', SECRET));
    assert.ok(!detachedTokenIsValid(sig, `${CONTENT}.`, 'joshua', SECRET));
  });
});

describe('RS256 JWTs', () => {
  test('sign, parse and verify; another key or a changed payload fails', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pub = createPublicKey(privateKey);
    const token = signRS256({ sub: 'x', n: 1 }, privateKey, keyIdFor(pub));
    const jwt = parseJWT(token)!;
    assert.deepEqual(jwt.header, { alg: 'RS256', kid: keyIdFor(pub) });
    assert.deepEqual(jwt.claims, { sub: 'x', n: 1 });
    assert.ok(verifyRS256(jwt, [other.publicKey, pub]));
    assert.ok(!verifyRS256(jwt, [other.publicKey]));
    const [h, , s] = token.split('.');
    const tampered = parseJWT(`${h}.${Buffer.from(JSON.stringify({ sub: 'admin', n: 1 })).toString('base64url')}.${s}`)!;
    assert.ok(!verifyRS256(tampered, [pub]));
    assert.equal(parseJWT('abc.def'), undefined);
    assert.equal(parseJWT('a.b.c'), undefined);
  });
});
