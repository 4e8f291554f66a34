/** The column helpers of server-side printing (tables.ts and the printers split out of it). */
export interface Col { name: string; type: string; format: string; description: string; priority: number }

export const NAME_DESC = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
export const AGE_DESC = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

export function col(name: string, description: string, opts: { type?: string; format?: string; priority?: number } = {}): Col {
  return { name, type: opts.type ?? "string", format: opts.format ?? "", description, priority: opts.priority ?? 0 };
}
export const NAME = col("Name", NAME_DESC, { format: "name" });
export const AGE = col("Age", AGE_DESC);

export type Printer = { columns: Col[]; cells: (o: any, now: number) => unknown[] };
