// The resource interpreter: built-in interpreters per kind, ResourceInterpreterCustomizations in Lua,
// and the DefaultResourceInterpreter that chooses between them.

export * from './interface.js';
export * from './interpreter.js';
export * from './native/index.js';
export { EMPTY_TABLE, collectShapes, resolveEmptyTables } from './customized/convert.js';
export { CustomizedInterpreter, RULES, customizationName, findCustomization, ruleScript, type CustomizedInterpreterOptions } from './customized/customization.js';
export { kubeLibrary } from './customized/kube.js';
export { DEFAULT_MEMORY_LIMIT_BYTES, DEFAULT_TIMEOUT_MS, LuaScriptError, LuaVM, type HostFunction, type LuaVMOptions } from './customized/luavm.js';
