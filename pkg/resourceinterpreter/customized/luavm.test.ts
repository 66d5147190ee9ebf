import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMPTY_TABLE } from './convert.js';
import { kubeLibrary } from './kube.js';
import { LuaScriptError, LuaVM } from './luavm.js';

test('values cross between JS and Lua as JSON does', async () => {
  const vm = await LuaVM.create({ libraries: { kube: kubeLibrary } });
  try {
    const fn = vm.compile('echo', 'function Echo(o, n) return o, n, math.type(n), #o.list, {} end', 'Echo');
    const input = { s: 'text', i: 3, f: 0.5, b: true, list: [1, 'two', { three: 3 }], nested: { deep: { x: -1 } }, nothing: null };
    const [o, n, type, len, empty] = vm.call(fn, [input, 7], 5);
    assert.deepEqual(o, { s: 'text', i: 3, f: 0.5, b: true, list: [1, 'two', { three: 3 }], nested: { deep: { x: -1 } } });
    assert.equal(n, 7);
    assert.equal(type, 'integer', 'JSON integers are Lua integers');
    assert.equal(len, 3);
    assert.equal(empty, EMPTY_TABLE);
    assert.equal(input.list.length, 3, 'input not mutated');
  } finally {
    vm.close();
  }
});

test('the sandbox refuses code loading and unknown modules but offers kube', async () => {
  const vm = await LuaVM.create({ libraries: { kube: kubeLibrary } });
  try {
    const run = (name: string, body: string) => vm.call(vm.compile(name, `function F() ${body} end`, 'F'), [], 1)[0];
    assert.throws(() => run('load', 'return load("return 1")()'), /call function load is not supported in karmada customized resourceinterpreter/);
    assert.throws(() => run('setmetatable', 'return setmetatable({}, {})'), /setmetatable is not supported/);
    assert.throws(() => run('io', 'return io.open("/etc/passwd")'), /attempt to index a nil value \(global 'io'\)/);
    assert.throws(() => run('exec', 'return os.execute("true")'), /attempt to call a nil value \(field 'execute'\)/);
    assert.throws(() => run('require', 'return require("os")'), /module 'os' not found/);
    assert.equal(run('kube', 'return require("kube").resourceAdd("1", "1")'), '2');
    assert.throws(() => run('kubeerr', 'return require("kube").resourceAdd("1", {})'), /kube.resourceAdd: bad argument #2/);
    assert.throws(() => vm.compile('nofn', 'local x = 1', 'GetReplicas'), /the script does not define function GetReplicas/);
    assert.throws(() => vm.compile('syntax', 'function GetReplicas(', 'GetReplicas'), (err: unknown) => err instanceof LuaScriptError && /^syntax:1:/.test(err.message));
  } finally {
    vm.close();
  }
});

test('rules run in their own environments', async () => {
  const vm = await LuaVM.create();
  try {
    const a = vm.compile('a', 'local function helper() return "a" end\nfunction F() return helper() end\nshared = "a"', 'F');
    const b = vm.compile('b', 'function F() return tostring(shared) end', 'F');
    assert.equal(vm.call(a, [], 1)[0], 'a');
    assert.equal(vm.call(b, [], 1)[0], 'nil', "one rule's globals are invisible to another");
  } finally {
    vm.close();
  }
});

test('a runaway script is stopped by the deadline even inside pcall, and by the memory limit', async () => {
  const vm = await LuaVM.create({ timeoutMs: 100, memoryLimitBytes: 16 * 1024 * 1024 });
  try {
    const loop = vm.compile('loop', 'function F() while true do pcall(function() while true do end end) end end', 'F');
    assert.throws(
      () => vm.call(loop, [], 1),
      (err: unknown) => err instanceof LuaScriptError && err.reason === 'timeout' && err.message === 'script timed out after 100ms',
    );
    assert.equal(vm.poisoned, true);
    const bomb = vm.compile('bomb', 'function F() local s = "x" while true do s = s .. s end end', 'F');
    assert.throws(
      () => vm.call(bomb, [], 1),
      (err: unknown) => err instanceof LuaScriptError && err.reason === 'memory' && err.message === 'script exceeded the memory limit of 16 MiB',
    );
    const ok = vm.compile('ok', 'function F() return 1 end', 'F');
    assert.deepEqual(vm.call(ok, [], 1), [1], 'the VM still answers');
  } finally {
    vm.close();
  }
});
