// The resource API seen through an alternate version: requests are converted to the storage version, answers
// back to the version asked for. Patches (other than apply) are applied to the object as the client sees it.
import type { Api, ListQuery, WriteOpts } from "../api/index.js";
import { checkKind } from "../api/admission.js";
import type { DeleteOpts } from "../api/delete.js";
import { applyPatchDocument, parseApplyBody, parsePatchBody } from "../api/patch-document.js";
import { errors } from "../errors.js";
import { apiVersionOf, type ResourceDef } from "../resources.js";
import { isPlainObject } from "../util.js";
import { decodeBody } from "../validation/index.js";
import type { ServedVersion } from "./index.js";

export type ResourceApi = Pick<Api, "get" | "list" | "create" | "update" | "patch" | "delete" | "deleteCollection" | "getScale">;

export class ServedVersionApi implements ResourceApi {
  constructor(private api: Api, private v: ServedVersion) {}

  private out = (o: any) => (o?.kind === this.v.storage.kind ? this.v.toServed(o) : o);

  /** a body in the served version, checked against that version's schema, as the storage version */
  private toStorage(def: ResourceDef, body: any, opts: WriteOpts, old?: any, patched = false): any {
    checkKind(def, body);
    decodeBody(def, body, opts.fieldValidation ?? "Warn", opts.warnings, patched);
    return this.v.toStorage(body, old);
  }

  get(_def: ResourceDef, ns: string | undefined, name: string): any {
    return this.out(this.api.get(this.v.storage, ns, name));
  }

  list(_def: ResourceDef, ns: string | undefined, q: ListQuery) {
    const r = this.api.list(this.v.storage, ns, q);
    return { ...r, items: r.items.map(this.out) };
  }

  getScale(_def: ResourceDef, ns: string | undefined, name: string): any {
    return this.api.getScale(this.v.storage, ns, name);
  }

  create(def: ResourceDef, ns: string | undefined, body: any, opts: WriteOpts = {}): any {
    return this.out(this.api.create(this.v.storage, ns, this.toStorage(def, body, opts), opts));
  }

  update(def: ResourceDef, ns: string | undefined, name: string, body: any, opts: WriteOpts = {}, sub?: string): any {
    if (sub === "scale") return this.api.update(this.v.storage, ns, name, body, opts, sub);
    const old = this.api.store.get(this.v.storage, ns, name);
    return this.out(this.api.update(this.v.storage, ns, name, this.toStorage(def, body, opts, old), opts, sub));
  }

  patch(def: ResourceDef, ns: string | undefined, name: string, contentType: string, rawBody: string, opts: WriteOpts = {}, sub?: string): any {
    if (sub === "scale") return this.api.patch(this.v.storage, ns, name, contentType, rawBody, opts, sub);
    const ct = contentType.split(";")[0].trim().toLowerCase();
    const old = this.api.store.get(this.v.storage, ns, name);
    if (ct.startsWith("application/apply-patch")) {
      const body = parseApplyBody(rawBody);
      checkKind(def, body);
      return this.out(this.api.patch(this.v.storage, ns, name, contentType, JSON.stringify(this.v.toStorage(body, old)), opts, sub));
    }
    if (!old) throw errors.notFound(def, name);
    const patched = applyPatchDocument(def, this.v.toServed(old), ct, parsePatchBody(rawBody));
    if (!isPlainObject(patched)) throw errors.badRequest("the patch produced a non-object");
    return this.out(this.api.update(this.v.storage, ns, name, this.toStorage(def, patched, opts, old, true), opts, sub));
  }

  delete(_def: ResourceDef, ns: string | undefined, name: string, body: any, opts: DeleteOpts = {}): any {
    return this.out(this.api.delete(this.v.storage, ns, name, body, opts));
  }

  deleteCollection(def: ResourceDef, ns: string | undefined, q: ListQuery, body: any, opts: DeleteOpts): any {
    const r = this.api.deleteCollection(this.v.storage, ns, q, body, opts);
    return { ...r, apiVersion: apiVersionOf(def), items: r.items.map(this.out) };
  }
}
