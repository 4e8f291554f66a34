import type { ApiResource, KObject, KubeCluster, KubeTable, TableRow } from "../../gateways/types.js";

// A role limited to some namespaces that is granted the Namespace type (roles.<role>.kube.clusterScoped) sees the
// namespaces it may read and no others: lab namespaces are named after branches. Every list of Namespaces a /kube
// request makes (get in every output, --sort-by, describe, the not-found hints) goes through this view of the
// cluster, which drops the rows and objects of the others. Counts the server makes (remainingItemCount) would
// count them too, so they are dropped as well ("at least N").

export function isNamespaceType(res: ApiResource): boolean {
  return res.group === "" && res.plural === "namespaces";
}

export interface NamespaceVisibility {
  /** Whether the caller sees every namespace (then nothing is filtered). */
  seesAll(): Promise<boolean>;
  visible(namespace: string): Promise<boolean>;
}

async function keep<T>(items: T[], nameOf: (item: T) => string | undefined, v: NamespaceVisibility): Promise<T[]> {
  const kept: T[] = [];
  for (const item of items) {
    const name = nameOf(item);
    if (name !== undefined && (await v.visible(name))) kept.push(item);
  }
  return kept;
}

function rowName(table: KubeTable): (row: TableRow) => string | undefined {
  const nameAt = table.columns.findIndex((c) => c.format === "name");
  return (row) => row.object?.metadata?.name || (nameAt >= 0 ? String(row.cells[nameAt] ?? "") : "") || undefined;
}

const objectName = (o: KObject): string | undefined => o.metadata?.name || undefined;

/** The cluster as the caller may see it: lists of Namespaces hold only the visible ones. */
export function withVisibleNamespaces(client: KubeCluster, v: NamespaceVisibility): KubeCluster {
  const filters = async (res: ApiResource): Promise<boolean> => isNamespaceType(res) && !(await v.seesAll());
  const wrapped: Partial<KubeCluster> = {
    list: async (res, opts) => {
      const listed = await client.list(res, opts);
      return (await filters(res)) ? { ...listed, items: await keep(listed.items, objectName, v) } : listed;
    },
    listPage: async (res, opts) => {
      const page = await client.listPage(res, opts);
      return (await filters(res)) ? { ...page, items: await keep(page.items, objectName, v), remainingItemCount: undefined } : page;
    },
    table: async (res, opts) => {
      const table = await client.table(res, opts);
      return (await filters(res)) ? { ...table, rows: await keep(table.rows, rowName(table), v) } : table;
    },
    tablePage: async (res, opts) => {
      const page = await client.tablePage(res, opts);
      return (await filters(res)) ? { ...page, rows: await keep(page.rows, rowName(page), v), remainingItemCount: undefined } : page;
    },
  };
  const namespaces = overriding(client.namespaces, {
    list: async (opts) => {
      const listed = await client.namespaces.list(opts);
      return (await v.seesAll()) ? listed : { ...listed, items: await keep(listed.items, objectName, v) };
    },
  });
  return overriding(client, { ...wrapped, namespaces });
}

/** The object with some of its members replaced; the others are its own (methods bound to it). */
function overriding<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof T];
      const value: unknown = Reflect.get(t, prop);
      return typeof value === "function" ? value.bind(t) : value;
    },
  });
}
