// Errors raised while decoding or applying a patch. Each carries the HTTP code and Status reason
// kube-apiserver answers with for the same failure, so the server can turn it into a metav1.Status.

export type PatchErrorReason = 'BadRequest' | 'Invalid' | 'Conflict' | 'UnsupportedMediaType' | 'InternalError';

export class PatchError extends Error {
  constructor(
    message: string,
    /** HTTP status code: 400 malformed patch, 422 patch does not apply, 409 apply conflict. */
    readonly code: number = 422,
    readonly reason: PatchErrorReason = code === 400 ? 'BadRequest' : code === 409 ? 'Conflict' : 'Invalid',
    /** For JSON patch: index of the failing operation in the patch document. */
    readonly operationIndex?: number,
    /** For JSON patch: the failing operation. */
    readonly operation?: unknown,
  ) {
    super(message);
    this.name = 'PatchError';
  }
}

export function badRequest(message: string): PatchError {
  return new PatchError(message, 400, 'BadRequest');
}

export function invalid(message: string): PatchError {
  return new PatchError(message, 422, 'Invalid');
}
