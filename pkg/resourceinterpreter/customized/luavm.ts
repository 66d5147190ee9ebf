// A sandboxed Lua 5.4 VM (wasmoon: the reference interpreter compiled to WebAssembly) for
// ResourceInterpreterCustomization scripts, after Karmada's luavm:
//  - only the base, table, string, math, utf8 and a "safe" os library are there; functions that
//    load code or reach metatables are replaced by ones that fail, and `require` knows only "kube";
//  - every call runs under a deadline (an instruction-count hook raises an error the script cannot
//    catch once it passed) and a memory limit (the allocator refuses to grow the state beyond it), so
//    a runaway script ends in an error, never in a hung or exhausted process;
//  - values cross as JSON does: objects and arrays become tables and back (see convert.ts).
// Each rule script runs in its own environment (a table falling back to the globals), so helper
// globals of one rule never clash with another's.

import { LUA_REGISTRYINDEX, LuaEngine, LuaFactory, LuaReturn, LuaType, type LuaWasm } from 'wasmoon';
import { EMPTY_TABLE, resolveEmptyTables } from './convert.js';

export const DEFAULT_TIMEOUT_MS = 1000;
export const DEFAULT_MEMORY_LIMIT_BYTES = 64 * 1024 * 1024;

const LUA_MASKCOUNT = 8;
/** The hook runs every this many VM instructions. */
const HOOK_INSTRUCTIONS = 1000;
const LUA_RIDX_GLOBALS = 2n;
const MAX_DEPTH = 200;

export type LuaFailure = 'timeout' | 'memory' | 'error';

export class LuaScriptError extends Error {
  constructor(
    message: string,
    readonly reason: LuaFailure,
  ) {
    super(message);
    this.name = 'LuaScriptError';
  }
}

/** A JS function scripts can call: arguments and result cross as JSON values (undefined is nil). */
export type HostFunction = (...args: unknown[]) => unknown;

export interface LuaVMOptions {
  /** Wall-clock limit of one call (default 1000 ms). */
  timeoutMs?: number;
  /** Limit of the VM's memory during a call (default 64 MiB). */
  memoryLimitBytes?: number;
  /** Libraries offered to scripts as globals and through require(name). */
  libraries?: Record<string, Record<string, HostFunction>>;
  /** Where print() goes (default: nowhere). */
  print?: (line: string) => void;
}

/** Registry reference of a compiled rule function. */
export type LuaFunctionRef = number;

// One WebAssembly instance serves every VM (each VM is its own lua_State with its own allocator).
let modulePromise: Promise<LuaWasm> | undefined;

/**
 * Forgets the shared WebAssembly instance, so VMs created from now on get a fresh one (after the
 * instance aborted; existing VMs must be closed by their owners).
 */
export function resetLuaRuntime(): void {
  modulePromise = undefined;
}

/** Whether an error comes from the WebAssembly instance itself rather than from a script. */
export function isLuaRuntimeFailure(err: unknown): boolean {
  return err instanceof WebAssembly.RuntimeError || (err instanceof Error && /^Aborted\(/.test(err.message));
}

function luaModule(): Promise<LuaWasm> {
  modulePromise ??= new LuaFactory().getLuaModule().catch((err: unknown) => {
    modulePromise = undefined;
    throw err;
  });
  return modulePromise;
}

// Runs once per VM, before any script: the sandbox (Karmada's setLib) and the un-catchable timeout.
const SANDBOX = `
local sentinel, libnames = ...
local rawpcall, rawxpcall, rawerror, tostring, ipairs = pcall, xpcall, error, tostring, ipairs

local safeos = { clock = os.clock, date = os.date, difftime = os.difftime, time = os.time }
os = safeos

for _, name in ipairs({ 'collectgarbage', 'dofile', 'getfenv', 'getmetatable', 'load', 'loadfile', 'loadstring',
    'rawequal', 'rawget', 'rawset', 'setfenv', 'setmetatable', 'module', 'newproxy' }) do
  _G[name] = function()
    rawerror('call function ' .. name .. ' is not supported in karmada customized resourceinterpreter.', 2)
  end
end

-- the timeout error must end the script even inside pcall/xpcall
local function check(ok, ...)
  if not ok and (...) == sentinel then rawerror(sentinel, 0) end
  return ok, ...
end
pcall = function(f, ...) return check(rawpcall(f, ...)) end
xpcall = function(f, handler, ...)
  return check(rawxpcall(f, function(e)
    if e == sentinel then return e end
    return handler(e)
  end, ...))
end

local modules = {}
for name in libnames:gmatch('[^,]+') do modules[name] = _G[name] end
require = function(name)
  local m = modules[name]
  if m == nil then
    rawerror("module '" .. tostring(name) .. "' not found: only " .. libnames .. ' can be required', 2)
  end
  return m
end
`;

function formatBytes(n: number): string {
  if (n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

export class LuaVM {
  /** Set when a call ran out of time or memory: the state may still hold what the runaway script built. */
  poisoned = false;
  private closed = false;
  private readonly engine: LuaEngine;
  private readonly L: number;
  private readonly pointers: number[] = [];
  private readonly timeoutMs: number;
  private readonly memoryLimitBytes: number;
  private readonly sentinelRef: number;
  private deadline = Infinity;
  private timedOut = false;

  static async create(opts: LuaVMOptions = {}): Promise<LuaVM> {
    return new LuaVM(await luaModule(), opts);
  }

  private constructor(
    private readonly lua: LuaWasm,
    opts: LuaVMOptions,
  ) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.memoryLimitBytes = opts.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES;
    this.engine = new LuaEngine(lua, { openStandardLibs: false, injectObjects: false, enableProxy: false, traceAllocations: true });
    const L = (this.L = this.engine.global.address);
    try {
      const libs: [string, (L: number) => number][] = [
        ['_G', lua.luaopen_base],
        ['table', lua.luaopen_table],
        ['string', lua.luaopen_string],
        ['math', lua.luaopen_math],
        ['utf8', lua.luaopen_utf8],
        ['os', lua.luaopen_os],
      ];
      for (const [name, open] of libs) {
        open(L);
        lua.lua_setglobal(L, name);
      }
      const libraries = opts.libraries ?? {};
      for (const [libName, fns] of Object.entries(libraries)) {
        lua.lua_createtable(L, 0, Object.keys(fns).length);
        for (const [fnName, fn] of Object.entries(fns)) {
          this.pushHostFunction(`${libName}.${fnName}`, fn);
          lua.lua_setfield(L, -2, fnName);
        }
        lua.lua_setglobal(L, libName);
      }
      const print = opts.print;
      this.pushHostFunction('print', (...args) => {
        print?.(args.map((a) => (typeof a === 'string' ? a : a === undefined ? 'nil' : JSON.stringify(a))).join('\t'));
      });
      lua.lua_setglobal(L, 'print');
      lua.lua_createtable(L, 0, 0);
      this.sentinelRef = lua.luaL_ref(L, LUA_REGISTRYINDEX);
      const hook = lua.module.addFunction((hookL: number) => {
        if (Date.now() <= this.deadline) return;
        this.timedOut = true;
        lua.lua_rawgeti(hookL, LUA_REGISTRYINDEX, BigInt(this.sentinelRef));
        lua.lua_error(hookL);
      }, 'vii');
      this.pointers.push(hook);
      lua.lua_sethook(L, hook, LUA_MASKCOUNT, HOOK_INSTRUCTIONS);
      this.load('sandbox', SANDBOX);
      lua.lua_rawgeti(L, LUA_REGISTRYINDEX, BigInt(this.sentinelRef));
      lua.lua_pushstring(L, Object.keys(libraries).join(','));
      this.protectedCall(2, 0);
    } catch (err) {
      this.close();
      throw err;
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Compiles and runs a rule script in its own environment and returns a reference to the function
   * `fnName` it defines.
   */
  compile(chunkName: string, script: string, fnName: string): LuaFunctionRef {
    this.assertOpen();
    const { lua, L } = this;
    const top = lua.lua_gettop(L);
    try {
      this.load(chunkName, script);
      // stack: top+1 chunk; its _ENV becomes top+2, a fresh table whose misses fall through to the globals
      lua.lua_createtable(L, 0, 4);
      lua.lua_createtable(L, 0, 1);
      lua.lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
      lua.lua_setfield(L, -2, '__index');
      lua.lua_setmetatable(L, top + 2);
      lua.lua_pushvalue(L, top + 2);
      lua.lua_setupvalue(L, top + 1, 1);
      lua.lua_pushvalue(L, top + 1);
      this.protectedCall(0, 0);
      if (lua.lua_getfield(L, top + 2, fnName) !== LuaType.Function) {
        throw new LuaScriptError(`the script does not define function ${fnName}`, 'error');
      }
      return lua.luaL_ref(L, LUA_REGISTRYINDEX);
    } finally {
      lua.lua_settop(L, top);
    }
  }

  /** Calls a compiled function; results are JSON values with EMPTY_TABLE markers for empty tables. */
  call(fn: LuaFunctionRef, args: unknown[], nresults: number): unknown[] {
    this.assertOpen();
    const { lua, L } = this;
    const top = lua.lua_gettop(L);
    try {
      if (!lua.lua_checkstack(L, args.length + nresults + 2)) throw new LuaScriptError('too many arguments', 'error');
      lua.lua_rawgeti(L, LUA_REGISTRYINDEX, BigInt(fn));
      for (const a of args) this.push(L, a, 0);
      this.protectedCall(args.length, nresults);
      const results: unknown[] = [];
      for (let i = 1; i <= nresults; i++) {
        try {
          results.push(this.read(L, top + i, 0, new Set()));
        } catch (err) {
          throw new LuaScriptError(`result ${i}: ${(err as Error).message}`, 'error');
        }
      }
      return results;
    } finally {
      if (!this.closed) lua.lua_settop(L, top);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.engine.global.close();
    for (const p of this.pointers) this.lua.module.removeFunction(p);
    this.pointers.length = 0;
  }

  private assertOpen(): void {
    if (this.closed) throw new LuaScriptError('the Lua VM is closed', 'error');
  }

  /** Pushes the compiled chunk, or throws its syntax error. */
  private load(chunkName: string, script: string): void {
    const { lua, L } = this;
    const status = lua.luaL_loadbufferx(L, script, lua.module.lengthBytesUTF8(script), `=${chunkName}`, 't');
    if (status !== LuaReturn.Ok) throw new LuaScriptError(this.popErrorMessage(), 'error');
  }

  /** lua_pcall under the deadline and the memory limit. */
  private protectedCall(nargs: number, nresults: number): void {
    const { lua, L } = this;
    this.timedOut = false;
    this.deadline = Date.now() + this.timeoutMs;
    this.engine.global.setMemoryMax(this.memoryLimitBytes);
    let status: number;
    try {
      status = lua.lua_pcallk(L, nargs, nresults, 0, 0, null);
    } finally {
      this.deadline = Infinity;
      this.engine.global.setMemoryMax(undefined);
    }
    if (status === LuaReturn.Ok) return;
    if (this.timedOut) {
      this.poisoned = true;
      lua.lua_settop(L, -2);
      throw new LuaScriptError(`script timed out after ${this.timeoutMs}ms`, 'timeout');
    }
    if (status === LuaReturn.ErrorMem) {
      this.poisoned = true;
      lua.lua_settop(L, -2);
      throw new LuaScriptError(`script exceeded the memory limit of ${formatBytes(this.memoryLimitBytes)}`, 'memory');
    }
    throw new LuaScriptError(this.popErrorMessage(), 'error');
  }

  private popErrorMessage(): string {
    const { lua, L } = this;
    let msg: string;
    const t = lua.lua_type(L, -1);
    if (t === LuaType.String || t === LuaType.Number) msg = lua.lua_tolstring(L, -1, null);
    else {
      msg = lua.luaL_tolstring(L, -1, null);
      lua.lua_settop(L, -2);
    }
    lua.lua_settop(L, -2);
    return msg;
  }

  private pushHostFunction(name: string, fn: HostFunction): void {
    const { lua } = this;
    const pointer = lua.module.addFunction((calledL: number) => this.callHost(calledL, name, fn), 'ii');
    this.pointers.push(pointer);
    lua.lua_pushcclosure(this.L, pointer, 0);
  }

  /** Runs a host function for Lua: errors become Lua errors (raised outside the try, so unwinding works). */
  private callHost(L: number, name: string, fn: HostFunction): number {
    const { lua } = this;
    let result: unknown;
    let error: string | undefined;
    try {
      const n = lua.lua_gettop(L);
      const args: unknown[] = [];
      for (let i = 1; i <= n; i++) args.push(resolveEmptyTables(this.read(L, i, 0, new Set()), [], 'object'));
      result = fn(...args);
    } catch (err) {
      error = `${name}: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (error !== undefined) {
      lua.lua_pushstring(L, error);
      return lua.lua_error(L);
    }
    if (result === undefined) return 0;
    this.push(L, result, 0);
    return 1;
  }

  /** Pushes a JSON value: objects and arrays as tables, null as nil. */
  private push(L: number, v: unknown, depth: number): void {
    const { lua } = this;
    if (depth > MAX_DEPTH) throw new LuaScriptError('argument nested too deeply', 'error');
    if (!lua.lua_checkstack(L, 3)) throw new LuaScriptError('Lua stack overflow while converting an argument', 'error');
    if (v === null || v === undefined) lua.lua_pushnil(L);
    else if (typeof v === 'boolean') lua.lua_pushboolean(L, v ? 1 : 0);
    else if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) lua.lua_pushinteger(L, BigInt(v));
      else lua.lua_pushnumber(L, v);
    } else if (typeof v === 'string') lua.lua_pushstring(L, v);
    else if (Array.isArray(v)) {
      lua.lua_createtable(L, v.length, 0);
      v.forEach((e, i) => {
        if (e === null || e === undefined) return;
        this.push(L, e, depth + 1);
        lua.lua_rawseti(L, -2, BigInt(i + 1));
      });
    } else if (typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, e]) => e !== null && e !== undefined);
      lua.lua_createtable(L, 0, entries.length);
      for (const [k, e] of entries) {
        this.push(L, e, depth + 1);
        lua.lua_setfield(L, -2, k);
      }
    } else throw new LuaScriptError(`cannot pass a ${typeof v} to Lua`, 'error');
  }

  /** Reads the value at idx as JSON: tables with keys 1..n are arrays, empty tables EMPTY_TABLE. */
  private read(L: number, idx: number, depth: number, seen: Set<number>): unknown {
    const { lua } = this;
    const t = lua.lua_type(L, idx);
    switch (t) {
      case LuaType.None:
      case LuaType.Nil:
        return undefined;
      case LuaType.Boolean:
        return lua.lua_toboolean(L, idx) !== 0;
      case LuaType.Number:
        if (lua.lua_isinteger(L, idx)) return Number(lua.lua_tointegerx(L, idx, null));
        return this.finite(lua.lua_tonumberx(L, idx, null));
      case LuaType.String:
        return lua.lua_tolstring(L, idx, null);
      case LuaType.Table:
        return this.readTable(L, lua.lua_absindex(L, idx), depth, seen);
      default:
        throw new Error(`cannot convert a Lua ${lua.lua_typename(L, t)} to JSON`);
    }
  }

  private finite(n: number): number {
    if (!Number.isFinite(n)) throw new Error(`cannot convert the number ${n} to JSON`);
    return n;
  }

  private readTable(L: number, t: number, depth: number, seen: Set<number>): unknown {
    const { lua } = this;
    if (depth > MAX_DEPTH) throw new Error('table nested too deeply');
    const pointer = lua.lua_topointer(L, t);
    if (seen.has(pointer)) throw new Error('cannot convert a table that contains itself');
    seen.add(pointer);
    if (!lua.lua_checkstack(L, 4)) throw new Error('Lua stack overflow while converting a result');
    const entries: [string | number, unknown][] = [];
    let allIndices = true;
    let maxIndex = 0;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, t)) {
      const kt = lua.lua_type(L, -2);
      let key: string | number;
      if (kt === LuaType.Number && lua.lua_isinteger(L, -2)) key = Number(lua.lua_tointegerx(L, -2, null));
      else if (kt === LuaType.Number) key = String(lua.lua_tonumberx(L, -2, null));
      else if (kt === LuaType.String) key = lua.lua_tolstring(L, -2, null);
      else if (kt === LuaType.Boolean) key = String(lua.lua_toboolean(L, -2) !== 0);
      else {
        lua.lua_settop(L, -3);
        throw new Error(`cannot convert a table with ${lua.lua_typename(L, kt)} keys to JSON`);
      }
      let value: unknown;
      try {
        value = this.read(L, -1, depth + 1, seen);
      } catch (err) {
        lua.lua_settop(L, -3);
        throw new Error(`${key}: ${(err as Error).message}`);
      }
      if (typeof key === 'number' && key >= 1) maxIndex = Math.max(maxIndex, key);
      else allIndices = false;
      entries.push([key, value]);
      lua.lua_settop(L, -2);
    }
    seen.delete(pointer);
    if (entries.length === 0) return EMPTY_TABLE;
    if (allIndices && maxIndex === entries.length) {
      const arr: unknown[] = new Array(maxIndex);
      for (const [k, v] of entries) arr[(k as number) - 1] = v;
      return arr;
    }
    const obj: Record<string, unknown> = {};
    for (const [k, v] of entries) obj[String(k)] = v;
    return obj;
  }
}
