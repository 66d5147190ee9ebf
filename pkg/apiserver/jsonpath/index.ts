// kubectl-style JSONPath (printer columns) and simple dotted field paths (scale subresource).
export * from './jsonpath.js';
