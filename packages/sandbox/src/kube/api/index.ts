/** REST verb semantics on top of the Store: defaulting, validation, preconditions, managedFields, dryRun. */
import { errors } from "../errors.js";
import { applyMergePatch, serverSideApply, trackUpdate } from "../patch/index.js";
import { apiVersionOf, type ResourceDef } from "../resources.js";
import type { Store } from "../store.js";
import { clone, deepEqual, dropNulls, isPlainObject, isoNow, randSuffix, uid } from "../util.js";
import { checkBodyMatchesUrl, checkKind, checkNamespace, validateObject } from "./admission.js";
import { Defaulter } from "./defaults.js";
import { deleteObject, type DeleteOpts } from "./delete.js";
import { specChanged } from "./generation.js";
import { insertObject, putObject, saveObject } from "./internal-writes.js";
import { listObjects, type ListQuery, type ListResult } from "./list.js";
import { applyPatchDocument, parseApplyBody, parsePatchBody } from "./patch-document.js";
import { toScale, withScaledReplicas } from "./scale.js";
import { admitPod } from "../admission/index.js";
import { checkApplyConfiguration, decodeBody, type FieldValidation } from "../validation/index.js";

export { NS_DEF } from "./admission.js";
export type { ListQuery, ListResult } from "./list.js";

export interface WriteOpts {
  dryRun?: boolean;
  fieldManager?: string;
  force?: boolean;
  /** unknown fields: Ignore, Warn (the default: `warnings` collects them) or Strict */
  fieldValidation?: FieldValidation;
  warnings?: string[];
}

export class Api {
  private defaulter = new Defaulter();

  constructor(public store: Store, public clusterName: string) {}

  // ------------------------------------------------------------ reads

  get(def: ResourceDef, ns: string | undefined, name: string): any {
    const o = this.store.get(def, ns, name);
    if (!o) throw errors.notFound(def, name);
    return clone(o);
  }

  /** items are the stored objects themselves: serialize or clone them, never mutate */
  list(def: ResourceDef, ns: string | undefined, q: ListQuery): ListResult {
    return listObjects(this.store, def, ns, q);
  }

  // ------------------------------------------------------------ writes

  create(def: ResourceDef, ns: string | undefined, body: any, opts: WriteOpts = {}): any {
    checkKind(def, body);
    decodeBody(def, body, opts.fieldValidation ?? "Warn", opts.warnings);
    const obj = def.crd ? clone(body) : dropNulls(body);
    obj.metadata = obj.metadata ?? {};
    const md = obj.metadata;
    if (def.namespaced) {
      if (md.namespace && ns && md.namespace !== ns) throw errors.badRequest("the namespace of the provided object does not match the namespace sent on the request");
      md.namespace = ns ?? md.namespace;
    } else delete md.namespace;
    if (!md.name) {
      if (md.generateName) md.name = `${md.generateName}${randSuffix(5)}`;
      else throw errors.invalid(def, "", [{ field: "metadata.name", message: "Required value: name or generateName is required", reason: "FieldValueRequired" }]);
    }
    validateObject(def, obj);
    checkNamespace(this.store, def, md.namespace, md.name);
    if (this.store.get(def, md.namespace, md.name)) throw errors.alreadyExists(def, md.name);
    md.uid = uid();
    md.creationTimestamp = isoNow();
    delete md.resourceVersion;
    delete md.deletionTimestamp;
    delete md.managedFields;
    if (def.generation) md.generation = 1;
    else delete md.generation;
    this.defaulter.apply(def, obj, undefined, opts.dryRun);
    validateObject(def, obj);
    if (def.kind === "Pod") admitPod(this.store, obj);
    if (opts.fieldManager) trackUpdate(undefined, obj, opts.fieldManager, apiVersionOf(def));
    if (opts.dryRun) return obj;
    return clone(this.store.add(def, obj, true));
  }



  /** shared tail for PUT/PATCH */
  private commitUpdate(def: ResourceDef, old: any, next: any, opts: WriteOpts, sub?: string, skipTracking = false): any {
    let obj: any;
    if (sub === "status") {
      obj = clone(old);
      obj.status = clone(next.status);
    } else {
      obj = def.crd ? clone(next) : dropNulls(next);
      obj.apiVersion = apiVersionOf(def);
      obj.kind = def.kind;
      obj.metadata = isPlainObject(obj.metadata) ? obj.metadata : {};
      const md = obj.metadata;
      md.name = old.metadata.name;
      if (def.namespaced) md.namespace = old.metadata.namespace;
      md.uid = old.metadata.uid;
      md.creationTimestamp = old.metadata.creationTimestamp;
      if (old.metadata.deletionTimestamp) md.deletionTimestamp = old.metadata.deletionTimestamp;
      else delete md.deletionTimestamp;
      if (!skipTracking) {
        if (old.metadata.managedFields) md.managedFields = clone(old.metadata.managedFields);
        else delete md.managedFields;
      }
      if (def.generation) md.generation = old.metadata.generation ?? 1;
      if (def.subresources.includes("status")) {
        if (old.status !== undefined) obj.status = clone(old.status);
        else delete obj.status;
      }
      this.defaulter.apply(def, obj, old, opts.dryRun);
      validateObject(def, obj, old);
      if (def.generation && specChanged(old, obj)) md.generation = (old.metadata.generation ?? 1) + 1;
      if (!skipTracking && opts.fieldManager) trackUpdate(old, obj, opts.fieldManager, apiVersionOf(def));
    }
    obj.metadata.resourceVersion = old.metadata.resourceVersion;
    if (deepEqual(obj, old)) return clone(old); // no-op writes do not bump resourceVersion
    if (opts.dryRun) return obj;
    if (obj.metadata.deletionTimestamp && (obj.metadata.finalizers ?? []).length === 0 && def.kind !== "Namespace") {
      return clone(this.store.remove(def, obj.metadata.namespace, obj.metadata.name));
    }
    return clone(this.store.replace(def, obj, true));
  }


  update(def: ResourceDef, ns: string | undefined, name: string, body: any, opts: WriteOpts = {}, sub?: string): any {
    if (sub === "scale") return this.updateScale(def, ns, name, body, opts);
    checkKind(def, body);
    checkBodyMatchesUrl(def, body, ns, name);
    decodeBody(def, body, opts.fieldValidation ?? "Warn", opts.warnings);
    const old = this.store.get(def, ns, name);
    if (!old) throw errors.notFound(def, name);
    const rv = body.metadata.resourceVersion;
    if (rv !== undefined && rv !== "" && rv !== old.metadata.resourceVersion) throw errors.conflict(def, name);
    return this.commitUpdate(def, old, body, opts, sub);
  }

  patch(def: ResourceDef, ns: string | undefined, name: string, contentType: string, rawBody: string, opts: WriteOpts = {}, sub?: string): any {
    const ct = contentType.split(";")[0].trim().toLowerCase();
    if (ct === "application/apply-patch+yaml" || ct === "application/apply-patch+cbor") {
      return this.apply(def, ns, name, rawBody, opts, sub);
    }
    const body = parsePatchBody(rawBody);
    const old = this.store.get(def, ns, name);
    if (!old) throw errors.notFound(def, name);
    const current = sub === "scale" ? toScale(def, old) : clone(old);
    const patched = applyPatchDocument(def, current, ct, body);
    if (!isPlainObject(patched)) throw errors.badRequest("the patch produced a non-object");
    const prv = patched.metadata?.resourceVersion;
    if (prv !== undefined && prv !== "" && prv !== old.metadata.resourceVersion) throw errors.conflict(def, name);
    if (sub === "scale") return this.fromScale(def, old, patched, opts);
    if (patched.metadata?.name !== undefined && patched.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${patched.metadata.name}) does not match the name on the URL (${name})`);
    }
    decodeBody(def, patched, opts.fieldValidation ?? "Warn", opts.warnings, true);
    return this.commitUpdate(def, old, patched, opts, sub);
  }

  private apply(def: ResourceDef, ns: string | undefined, name: string, rawBody: string, opts: WriteOpts, sub?: string): any {
    if (!opts.fieldManager) {
      throw errors.badRequest("PATCH, application/apply-patch+yaml requires fieldManager to be set");
    }
    const body = parseApplyBody(rawBody);
    if (sub === "scale") {
      const old = this.store.get(def, ns, name);
      if (!old) throw errors.notFound(def, name);
      const scale = toScale(def, old);
      if (body.spec?.replicas !== undefined) scale.spec.replicas = body.spec.replicas;
      return this.fromScale(def, old, scale, opts);
    }
    if (!body.apiVersion || !body.kind) {
      throw errors.badRequest("invalid object type: /, Kind=");
    }
    checkKind(def, body);
    checkBodyMatchesUrl(def, body, ns, name);
    const old = this.store.get(def, ns, name);
    const av = apiVersionOf(def);
    if (sub === "status") {
      if (!old) throw errors.notFound(def, name);
      const next = clone(old);
      next.status = applyMergePatch(old.status ?? {}, body.status ?? {});
      return this.commitUpdate(def, old, next, opts, "status");
    }
    checkApplyConfiguration(def, body, ns, name);
    const rv = body.metadata.resourceVersion;
    if (old && rv !== undefined && rv !== "" && rv !== old.metadata.resourceVersion) throw errors.conflict(def, name);
    const merged = serverSideApply(def, old ? clone(old) : undefined, def.crd ? body : dropNulls(body), opts.fieldManager, !!opts.force, av);
    merged.apiVersion = av;
    merged.kind = def.kind;
    merged.metadata.name = name;
    if (def.namespaced) merged.metadata.namespace = ns;
    if (!old) return this.createPrepared(def, ns, merged, opts);
    return this.commitUpdate(def, old, merged, opts, undefined, true);
  }

  /** create for SSA: managedFields already computed */
  private createPrepared(def: ResourceDef, ns: string | undefined, obj: any, opts: WriteOpts): any {
    const md = obj.metadata;
    validateObject(def, obj);
    checkNamespace(this.store, def, ns, md.name);
    md.uid = uid();
    md.creationTimestamp = isoNow();
    delete md.resourceVersion;
    if (def.generation) md.generation = 1;
    delete obj.status;
    this.defaulter.apply(def, obj, undefined, opts.dryRun);
    validateObject(def, obj);
    if (def.kind === "Pod") admitPod(this.store, obj);
    if (opts.dryRun) return obj;
    return clone(this.store.add(def, obj));
  }


  delete(def: ResourceDef, ns: string | undefined, name: string, body: any, opts: DeleteOpts = {}): any {
    return deleteObject(this.store, def, ns, name, body, opts);
  }

  deleteCollection(def: ResourceDef, ns: string | undefined, q: ListQuery, body: any, opts: DeleteOpts): any {
    const l = this.list(def, ns, { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector });
    const items: any[] = [];
    for (const o of l.items) {
      try {
        const r = this.delete(def, o.metadata.namespace, o.metadata.name, body, opts);
        items.push(r.kind === "Status" ? o : r);
      } catch {
        // already gone
      }
    }
    return { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: { resourceVersion: String(this.store.rv) }, items };
  }

  // ------------------------------------------------------------ scale

  getScale(def: ResourceDef, ns: string | undefined, name: string): any {
    return toScale(def, this.get(def, ns, name));
  }

  private fromScale(def: ResourceDef, old: any, scale: any, opts: WriteOpts): any {
    return toScale(def, this.commitUpdate(def, old, withScaledReplicas(old, scale), opts));
  }

  private updateScale(def: ResourceDef, ns: string | undefined, name: string, body: any, opts: WriteOpts): any {
    const old = this.store.get(def, ns, name);
    if (!old) throw errors.notFound(def, name);
    const rv = body?.metadata?.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw errors.conflict(def, name);
    return this.fromScale(def, old, body, opts);
  }

  // ------------------------------------------------------------ internal writes (controllers, seed, putObject)

  /** create or replace without HTTP semantics (no preconditions, no managedFields); status is kept as given */
  put(obj: any, opts: { keepTimestamps?: boolean } = {}): any {
    return putObject(this.store, this.defaulter, obj, opts);
  }

  /**
   * controller write of an existing object: bumps generation on spec change, keeps managedFields.
   * Takes ownership of `obj` (callers pass a fresh clone and only read it afterwards).
   */
  save(def: ResourceDef, obj: any): any {
    return saveObject(this.store, def, obj);
  }

  /** controller create (`owned`: obj is fresh and becomes the stored object) */
  insert(def: ResourceDef, obj: any, createdAt?: string, owned = false): any {
    return insertObject(this.store, this.defaulter, def, obj, createdAt, owned);
  }

  remove(def: ResourceDef, obj: any): void {
    this.store.remove(def, obj.metadata.namespace, obj.metadata.name);
  }
}
