export { toTable, tableForWatchEvent, createWatchTableConverter, tableColumns } from './table.js';
export { humanDuration, translateTimestampSince, formatRFC3339 } from './duration.js';
export { BUILTIN_PRINTERS, builtinPrinter } from './printers.js';
export type * from './types.js';
