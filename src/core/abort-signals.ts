/** A signal that aborts as soon as the first of `signals` does, with its reason (Node's AbortSignal.any). */
export function firstToAbort(...signals: AbortSignal[]): AbortSignal {
  return AbortSignal.any(signals);
}
