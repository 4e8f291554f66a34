// Config maps (apps, environments, clusters, pools, roles…) are plain objects indexed by words users type.
// `config.apps["constructor"]` finds Object.prototype's constructor, so every such look-up goes through these.

/** The record's own value at `key`, never an inherited one (`constructor`, `__proto__`, `toString`…). */
export function getOwn<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Whether `key` is one of the record's own keys. */
export function hasOwnKey(record: Readonly<Record<string, unknown>> | undefined, key: string): boolean {
  return record !== undefined && Object.hasOwn(record, key);
}
