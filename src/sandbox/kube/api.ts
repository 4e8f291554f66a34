/** REST verb semantics on top of the Store: defaulting, validation, preconditions, managedFields, dryRun. */
import { ApiError, errors, validateName } from "./errors.js";
import { applyJsonPatch, applyMergePatch, serverSideApply, smp, trackUpdate } from "./patch.js";
import { RESOURCES, apiVersionOf, findByKind, findByPlural, type ResourceDef } from "./resources.js";
import { matchFields, matchLabels, matchLabelSelectorObj, parseFieldSelector, parseLabelSelector, checkFieldSelector, selectorToString } from "./selectors.js";
import { Store } from "./store.js";
import { clone, deepEqual, dropNulls, isPlainObject, isoNow, randSuffix, uid } from "./util.js";
import { parse as parseYaml } from "yaml";

export const NS_DEF = findByPlural("", "v1", "namespaces")!;

export interface WriteOpts {
  dryRun?: boolean;
  fieldManager?: string;
  force?: boolean;
}

export interface ListResult {
  items: any[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

function specOf(obj: any): any {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

function hasStatusSub(def: ResourceDef): boolean {
  return def.subresources.includes("status");
}

export class Api {
  private ipCounter = 10;
  private nodePortCounter = 30000;

  constructor(public store: Store, public clusterName: string) {}

  // ------------------------------------------------------------ reads

  get(def: ResourceDef, ns: string | undefined, name: string): any {
    const o = this.store.get(def, ns, name);
    if (!o) throw errors.notFound(def, name);
    return clone(o);
  }

  /** items are the stored objects themselves: serialize or clone them, never mutate */
  list(def: ResourceDef, ns: string | undefined, q: ListQuery): ListResult {
    const lreqs = parseLabelSelector(q.labelSelector);
    const freqs = parseFieldSelector(q.fieldSelector);
    checkFieldSelector(def.kind, freqs);
    let items = this.store.list(def, ns);
    if (lreqs.length || freqs.length) items = items.filter((o) => matchLabels(lreqs, o.metadata.labels) && matchFields(freqs, o));
    let start = 0;
    if (q.continue) {
      let tok: any;
      try {
        tok = JSON.parse(Buffer.from(q.continue, "base64").toString("utf8"));
      } catch {
        throw errors.badRequest("continue key is not valid: illegal base64 data");
      }
      if (typeof tok?.rv === "number" && tok.rv < this.store.compactedRV) {
        throw new ApiError(410, "Expired", "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
      }
      const after: string = tok?.start ?? "";
      // items are sorted by `namespace/name`: skip to the first one after the token (binary search)
      let lo = 0;
      let hi = items.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (`${items[mid].metadata.namespace ?? ""}/${items[mid].metadata.name}` > after) hi = mid;
        else lo = mid + 1;
      }
      items = items.slice(lo);
    }
    const rv = String(this.store.rv);
    const limit = q.limit && q.limit > 0 ? q.limit : 0;
    if (limit && items.length > limit) {
      const page = items.slice(start, start + limit);
      const last = page[page.length - 1];
      const token = Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: this.store.rv, start: `${last.metadata.namespace ?? ""}/${last.metadata.name}` })).toString("base64");
      return { items: page, resourceVersion: rv, continue: token, remainingItemCount: items.length - limit };
    }
    start = 0;
    return { items, resourceVersion: rv };
  }

  // ------------------------------------------------------------ helpers

  private checkNamespace(def: ResourceDef, ns: string | undefined, name: string): void {
    if (!def.namespaced) return;
    if (!ns) throw errors.badRequest("the server could not find the requested resource: namespace is required");
    const nso = this.store.get(NS_DEF, undefined, ns);
    if (!nso) throw errors.notFound(NS_DEF, ns);
    if (nso.metadata.deletionTimestamp || nso.status?.phase === "Terminating") {
      throw errors.forbidden(def, name, `unable to create new content in namespace ${ns} because it is being terminated`, [
        { reason: "NamespaceTerminating", message: `namespace ${ns} is being terminated`, field: "metadata.namespace" },
      ]);
    }
  }

  private defaultPodSpec(spec: any): void {
    if (!isPlainObject(spec)) return;
    spec.restartPolicy ??= "Always";
    spec.terminationGracePeriodSeconds ??= 30;
    spec.dnsPolicy ??= "ClusterFirst";
    spec.securityContext ??= {};
    spec.schedulerName ??= "default-scheduler";
    for (const list of [spec.containers, spec.initContainers]) {
      if (!Array.isArray(list)) continue;
      for (const c of list) {
        if (!isPlainObject(c)) continue;
        const img = String(c.image ?? "");
        const tag = img.includes("@") ? "" : img.slice(img.lastIndexOf("/") + 1).split(":")[1];
        c.imagePullPolicy ??= !img.includes("@") && (tag === undefined || tag === "latest") ? "Always" : "IfNotPresent";
        c.terminationMessagePath ??= "/dev/termination-log";
        c.terminationMessagePolicy ??= "File";
        c.resources ??= {};
        if (Array.isArray(c.ports)) for (const p of c.ports) if (isPlainObject(p)) p.protocol ??= "TCP";
      }
    }
  }

  defaults(def: ResourceDef, obj: any, old?: any): void {
    const spec = obj.spec;
    switch (def.kind) {
      case "Namespace":
        obj.metadata.labels = { ...(obj.metadata.labels ?? {}), "kubernetes.io/metadata.name": obj.metadata.name };
        obj.spec = obj.spec ?? {};
        obj.spec.finalizers ??= ["kubernetes"];
        obj.status = obj.status ?? {};
        obj.status.phase ??= "Active";
        break;
      case "Deployment":
        obj.spec = obj.spec ?? {};
        obj.spec.replicas ??= 1;
        obj.spec.strategy ??= { type: "RollingUpdate" };
        if ((obj.spec.strategy.type ?? "RollingUpdate") === "RollingUpdate") {
          obj.spec.strategy.type = "RollingUpdate";
          obj.spec.strategy.rollingUpdate ??= {};
          obj.spec.strategy.rollingUpdate.maxSurge ??= "25%";
          obj.spec.strategy.rollingUpdate.maxUnavailable ??= "25%";
        }
        obj.spec.revisionHistoryLimit ??= 10;
        obj.spec.progressDeadlineSeconds ??= 600;
        if (obj.spec.template) {
          obj.spec.template.metadata ??= {};
          this.defaultPodSpec(obj.spec.template.spec);
        }
        break;
      case "ReplicaSet":
        obj.spec = obj.spec ?? {};
        obj.spec.replicas ??= 1;
        if (obj.spec.template) this.defaultPodSpec(obj.spec.template.spec);
        break;
      case "Pod":
        obj.spec = obj.spec ?? {};
        this.defaultPodSpec(obj.spec);
        obj.status = obj.status ?? {};
        obj.status.phase ??= "Pending";
        obj.status.qosClass ??= "BestEffort";
        break;
      case "Service": {
        obj.spec = obj.spec ?? {};
        const s = obj.spec;
        s.type ??= "ClusterIP";
        if (s.clusterIP === undefined) s.clusterIP = old?.spec?.clusterIP ?? `10.96.${Math.floor(this.ipCounter / 250)}.${(this.ipCounter++ % 250) + 2}`;
        if (s.clusterIP !== "None") s.clusterIPs ??= [s.clusterIP];
        s.sessionAffinity ??= "None";
        s.ipFamilies ??= ["IPv4"];
        s.ipFamilyPolicy ??= "SingleStack";
        s.internalTrafficPolicy ??= "Cluster";
        for (const p of Array.isArray(s.ports) ? s.ports : []) {
          p.protocol ??= "TCP";
          p.targetPort ??= p.port;
          if ((s.type === "NodePort" || s.type === "LoadBalancer") && p.nodePort === undefined) {
            const oldP = (old?.spec?.ports ?? []).find((x: any) => x.port === p.port);
            p.nodePort = oldP?.nodePort ?? this.nodePortCounter++;
          }
        }
        if (s.type === "NodePort" || s.type === "LoadBalancer") s.externalTrafficPolicy ??= "Cluster";
        obj.status = obj.status ?? old?.status ?? { loadBalancer: {} };
        break;
      }
      case "Secret":
        obj.type ??= "Opaque";
        if (isPlainObject(obj.stringData)) {
          obj.data = obj.data ?? {};
          for (const [k, v] of Object.entries(obj.stringData)) obj.data[k] = Buffer.from(String(v)).toString("base64");
          delete obj.stringData;
        }
        break;
      case "MachineDeployment":
        obj.spec = obj.spec ?? {};
        obj.spec.replicas ??= 1;
        obj.spec.selector ??= { matchLabels: {} };
        break;
      case "Event":
        obj.count ??= 1;
        obj.type ??= "Normal";
        break;
      default:
        void spec;
    }
  }

  private validate(def: ResourceDef, obj: any): void {
    const name = obj.metadata.name;
    const causes: Array<{ field: string; message: string; reason?: string }> = [];
    for (const m of validateName(def.nameRule, name)) causes.push({ field: "metadata.name", message: `Invalid value: "${name}": ${m}` });
    if (obj.metadata.labels !== undefined && !isPlainObject(obj.metadata.labels)) causes.push({ field: "metadata.labels", message: "Invalid value: must be a map" });
    for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
      if (typeof v !== "string" || v.length > 63 || (v !== "" && !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(v))) {
        causes.push({ field: "metadata.labels", message: `Invalid value: "${String(v)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')` });
      }
      void k;
    }
    const checkContainers = (podSpec: any, prefix: string) => {
      if (!podSpec || !Array.isArray(podSpec.containers) || podSpec.containers.length === 0) {
        causes.push({ field: `${prefix}.containers`, message: "Required value", reason: "FieldValueRequired" });
        return;
      }
      podSpec.containers.forEach((c: any, i: number) => {
        if (!c?.name) causes.push({ field: `${prefix}.containers[${i}].name`, message: "Required value", reason: "FieldValueRequired" });
        if (!c?.image) causes.push({ field: `${prefix}.containers[${i}].image`, message: "Required value", reason: "FieldValueRequired" });
      });
    };
    if (def.kind === "Deployment" || def.kind === "ReplicaSet") {
      const sel = obj.spec?.selector;
      if (!sel || (!sel.matchLabels && !sel.matchExpressions)) {
        causes.push({ field: "spec.selector", message: "Required value", reason: "FieldValueRequired" });
      } else if (!matchLabelSelectorObj(sel, obj.spec?.template?.metadata?.labels)) {
        causes.push({ field: "spec.template.metadata.labels", message: `Invalid value: ${JSON.stringify(obj.spec?.template?.metadata?.labels ?? {})}: \`selector\` does not match template \`labels\`` });
      }
      if (typeof obj.spec?.replicas === "number" && obj.spec.replicas < 0) causes.push({ field: "spec.replicas", message: `Invalid value: ${obj.spec.replicas}: must be greater than or equal to 0` });
      checkContainers(obj.spec?.template?.spec, "spec.template.spec");
    }
    if (def.kind === "Pod") checkContainers(obj.spec, "spec");
    if (def.kind === "MachineDeployment" && typeof obj.spec?.replicas === "number" && obj.spec.replicas < 0) {
      causes.push({ field: "spec.replicas", message: `Invalid value: ${obj.spec.replicas}: must be greater than or equal to 0` });
    }
    if (causes.length) throw errors.invalid(def, name, causes);
  }

  private checkKind(def: ResourceDef, body: any): void {
    if (!isPlainObject(body)) throw errors.badRequest("the body of the request was not a JSON object");
    const av = apiVersionOf(def);
    if (body.apiVersion !== undefined && body.apiVersion !== av) {
      throw errors.badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${av})`);
    }
    if (body.kind !== undefined && body.kind !== def.kind) {
      throw errors.badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${def.kind})`);
    }
    body.apiVersion = av;
    body.kind = def.kind;
    body.metadata = isPlainObject(body.metadata) ? body.metadata : {};
  }

  // ------------------------------------------------------------ writes

  create(def: ResourceDef, ns: string | undefined, body: any, opts: WriteOpts = {}): any {
    this.checkKind(def, body);
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
    this.validate(def, obj);
    this.checkNamespace(def, md.namespace, md.name);
    if (this.store.get(def, md.namespace, md.name)) throw errors.alreadyExists(def, md.name);
    md.uid = uid();
    md.creationTimestamp = isoNow();
    delete md.resourceVersion;
    delete md.deletionTimestamp;
    delete md.managedFields;
    if (def.generation) md.generation = 1;
    else delete md.generation;
    this.defaults(def, obj);
    this.validate(def, obj);
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
      if (hasStatusSub(def)) {
        if (old.status !== undefined) obj.status = clone(old.status);
        else delete obj.status;
      }
      this.defaults(def, obj, old);
      this.validate(def, obj);
      if (def.generation && !deepEqual(specOf(old), specOf(obj))) md.generation = (old.metadata.generation ?? 1) + 1;
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
    this.checkKind(def, body);
    if (body.metadata.name !== undefined && body.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (def.namespaced && body.metadata.namespace && body.metadata.namespace !== ns) {
      throw errors.badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
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
    let body: any;
    try {
      body = JSON.parse(rawBody);
    } catch (e) {
      throw errors.badRequest(`the server rejected our request due to an error in our request: ${(e as Error).message}`);
    }
    const old = this.store.get(def, ns, name);
    if (!old) throw errors.notFound(def, name);
    const current = sub === "scale" ? this.toScale(def, old) : clone(old);
    let patched: any;
    switch (ct) {
      case "application/json-patch+json":
        patched = applyJsonPatch(current, body);
        break;
      case "application/merge-patch+json":
        if (!isPlainObject(body)) throw errors.badRequest("the server rejected our request due to an error in our request: merge patch must be a JSON object");
        patched = applyMergePatch(current, body);
        break;
      case "application/strategic-merge-patch+json":
        if (!isPlainObject(body)) throw errors.badRequest("the server rejected our request due to an error in our request: strategic merge patch must be a JSON object");
        if (def.crd) throw new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
        patched = smp(current, body);
        break;
      default:
        throw errors.unsupportedMedia(ct);
    }
    if (!isPlainObject(patched)) throw errors.badRequest("the patch produced a non-object");
    const prv = patched.metadata?.resourceVersion;
    if (prv !== undefined && prv !== "" && prv !== old.metadata.resourceVersion) throw errors.conflict(def, name);
    if (sub === "scale") return this.fromScale(def, old, patched, opts);
    if (patched.metadata?.name !== undefined && patched.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${patched.metadata.name}) does not match the name on the URL (${name})`);
    }
    return this.commitUpdate(def, old, patched, opts, sub);
  }

  private apply(def: ResourceDef, ns: string | undefined, name: string, rawBody: string, opts: WriteOpts, sub?: string): any {
    if (!opts.fieldManager) {
      throw errors.badRequest("PATCH, application/apply-patch+yaml requires fieldManager to be set");
    }
    let body: any;
    try {
      body = parseYaml(rawBody);
    } catch (e) {
      throw errors.badRequest(`error decoding YAML: ${(e as Error).message}`);
    }
    if (!isPlainObject(body)) throw errors.badRequest("the body of the request was not a JSON object");
    if (sub === "scale") {
      const old = this.store.get(def, ns, name);
      if (!old) throw errors.notFound(def, name);
      const scale = this.toScale(def, old);
      if (body.spec?.replicas !== undefined) scale.spec.replicas = body.spec.replicas;
      return this.fromScale(def, old, scale, opts);
    }
    if (!body.apiVersion || !body.kind) {
      throw errors.badRequest("invalid object type: /, Kind=");
    }
    this.checkKind(def, body);
    if (body.metadata.name !== undefined && body.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (def.namespaced && body.metadata.namespace && body.metadata.namespace !== ns) {
      throw errors.badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    const old = this.store.get(def, ns, name);
    const av = apiVersionOf(def);
    if (sub === "status") {
      if (!old) throw errors.notFound(def, name);
      const next = clone(old);
      next.status = applyMergePatch(old.status ?? {}, body.status ?? {});
      return this.commitUpdate(def, old, next, opts, "status");
    }
    const rv = body.metadata.resourceVersion;
    if (old && rv !== undefined && rv !== "" && rv !== old.metadata.resourceVersion) throw errors.conflict(def, name);
    const merged = serverSideApply(def, old ? clone(old) : undefined, def.crd ? body : dropNulls(body), opts.fieldManager, !!opts.force, av);
    merged.apiVersion = av;
    merged.kind = def.kind;
    merged.metadata.name = name;
    if (def.namespaced) merged.metadata.namespace = ns;
    if (!old) {
      const mf = merged.metadata.managedFields;
      const created = this.createPrepared(def, ns, merged, opts);
      void mf;
      return created;
    }
    return this.commitUpdate(def, old, merged, opts, undefined, true);
  }

  /** create for SSA: managedFields already computed */
  private createPrepared(def: ResourceDef, ns: string | undefined, obj: any, opts: WriteOpts): any {
    const md = obj.metadata;
    this.validate(def, obj);
    this.checkNamespace(def, ns, md.name);
    md.uid = uid();
    md.creationTimestamp = isoNow();
    delete md.resourceVersion;
    if (def.generation) md.generation = 1;
    delete obj.status;
    this.defaults(def, obj);
    this.validate(def, obj);
    if (opts.dryRun) return obj;
    return clone(this.store.add(def, obj));
  }

  delete(def: ResourceDef, ns: string | undefined, name: string, body: any, opts: WriteOpts & { propagationPolicy?: string } = {}): any {
    const old = this.store.get(def, ns, name);
    if (!old) throw errors.notFound(def, name);
    const pre = body?.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw errors.conflict(def, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw errors.conflict(def, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    }
    const policy = opts.propagationPolicy ?? body?.propagationPolicy;
    if (def.kind === "Namespace") {
      if (old.metadata.deletionTimestamp) return clone(old);
      const next = clone(old);
      next.metadata.deletionTimestamp = isoNow();
      next.metadata.deletionGracePeriodSeconds = 0;
      next.status = { ...(next.status ?? {}), phase: "Terminating" };
      if (opts.dryRun) return next;
      return clone(this.store.replace(def, next));
    }
    if ((old.metadata.finalizers ?? []).length > 0) {
      if (old.metadata.deletionTimestamp) return clone(old);
      const next = clone(old);
      next.metadata.deletionTimestamp = isoNow();
      next.metadata.deletionGracePeriodSeconds = 0;
      if (opts.dryRun) return next;
      return clone(this.store.replace(def, next));
    }
    if (opts.dryRun) return def.kind === "Pod" ? clone(old) : this.successStatus(def, old);
    if (policy === "Orphan") this.orphanDependents(old.metadata.uid);
    const deleted = this.store.remove(def, ns, name);
    return def.kind === "Pod" || def.kind === "Namespace" ? clone(deleted) : this.successStatus(def, old);
  }

  deleteCollection(def: ResourceDef, ns: string | undefined, q: ListQuery, body: any, opts: WriteOpts & { propagationPolicy?: string }): any {
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

  private successStatus(def: ResourceDef, old: any): any {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name: old.metadata.name, ...(def.group ? { group: def.group } : {}), kind: def.plural, uid: old.metadata.uid },
    };
  }

  orphanDependents(ownerUid: string): void {
    // owner index instead of a scan of every resource; same order as before (resource registry order, then namespace/name)
    const deps = this.store.dependants(ownerUid).map((u) => this.store.byUid(u)).filter((e) => !!e);
    const rank = (d: ResourceDef) => RESOURCES.indexOf(d);
    deps.sort((a, b) => rank(a.def) - rank(b.def));
    for (const e of deps) {
      const o = this.store.get(e.def, e.ns, e.name);
      if (!o) continue;
      const refs = o.metadata.ownerReferences ?? [];
      if (!refs.some((r: any) => r.uid === ownerUid)) continue;
      const next = clone(o);
      next.metadata.ownerReferences = refs.filter((r: any) => r.uid !== ownerUid);
      if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
      this.store.replace(e.def, next);
    }
  }

  // ------------------------------------------------------------ scale

  toScale(def: ResourceDef, obj: any): any {
    let selector = "";
    if (def.kind === "MachineDeployment") selector = obj.status?.selector ?? selectorToString(obj.spec?.selector);
    else selector = selectorToString(obj.spec?.selector);
    return {
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: obj.spec?.replicas ?? 0 },
      status: { replicas: obj.status?.replicas ?? 0, selector },
    };
  }

  getScale(def: ResourceDef, ns: string | undefined, name: string): any {
    return this.toScale(def, this.get(def, ns, name));
  }

  private fromScale(def: ResourceDef, old: any, scale: any, opts: WriteOpts): any {
    const replicas = scale?.spec?.replicas;
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
      throw new ApiError(422, "Invalid", `Scale.autoscaling "${old.metadata.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, {
        name: old.metadata.name, group: "autoscaling", kind: "Scale",
        causes: [{ reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, field: "spec.replicas" }],
      });
    }
    const next = clone(old);
    next.spec = next.spec ?? {};
    next.spec.replicas = replicas;
    const res = this.commitUpdate(def, old, next, opts);
    return this.toScale(def, res);
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
    if (!isPlainObject(obj) || !obj.apiVersion || !obj.kind) throw new Error("putObject: apiVersion and kind are required");
    const def = findByKind(obj.apiVersion, obj.kind);
    if (!def) throw new Error(`putObject: unknown kind ${obj.apiVersion} ${obj.kind}`);
    const o = clone(obj);
    o.metadata = o.metadata ?? {};
    if (!o.metadata.name) {
      if (o.metadata.generateName) o.metadata.name = o.metadata.generateName + randSuffix(5);
      else throw new Error("putObject: metadata.name is required");
    }
    if (def.namespaced) o.metadata.namespace = o.metadata.namespace ?? "default";
    else delete o.metadata.namespace;
    const old = this.store.get(def, o.metadata.namespace, o.metadata.name);
    if (old) {
      o.metadata.uid = old.metadata.uid;
      o.metadata.creationTimestamp = opts.keepTimestamps && obj.metadata?.creationTimestamp ? obj.metadata.creationTimestamp : old.metadata.creationTimestamp;
      if (def.generation) {
        o.metadata.generation = old.metadata.generation ?? 1;
        if (!deepEqual(specOf(old), specOf(o))) o.metadata.generation++;
      }
      if (o.status === undefined && old.status !== undefined) o.status = clone(old.status);
      this.defaults(def, o, old);
      o.metadata.resourceVersion = old.metadata.resourceVersion;
      if (deepEqual(o, old)) return clone(old);
      return clone(this.store.replace(def, o));
    }
    o.metadata.uid = o.metadata.uid ?? uid();
    o.metadata.creationTimestamp = o.metadata.creationTimestamp ?? isoNow();
    if (def.generation) o.metadata.generation = o.metadata.generation ?? 1;
    this.defaults(def, o);
    return clone(this.store.add(def, o));
  }

  /**
   * controller write of an existing object: bumps generation on spec change, keeps managedFields.
   * Takes ownership of `obj` (callers pass a fresh clone and only read it afterwards).
   */
  save(def: ResourceDef, obj: any): any {
    const old = this.store.get(def, obj.metadata.namespace, obj.metadata.name);
    if (!old) return undefined;
    const o = obj;
    if (def.generation && !deepEqual(specOf(old), specOf(o))) o.metadata.generation = (old.metadata.generation ?? 1) + 1;
    o.metadata.resourceVersion = old.metadata.resourceVersion;
    if (deepEqual(o, old)) return old;
    return this.store.replace(def, o, true);
  }

  /** controller create (`owned`: obj is fresh and becomes the stored object) */
  insert(def: ResourceDef, obj: any, createdAt?: string, owned = false): any {
    const o = owned ? obj : clone(obj);
    o.apiVersion = apiVersionOf(def);
    o.kind = def.kind;
    o.metadata.uid = uid();
    o.metadata.creationTimestamp = createdAt ?? isoNow();
    if (def.generation) o.metadata.generation = 1;
    this.defaults(def, o);
    if (this.store.get(def, o.metadata.namespace, o.metadata.name)) return undefined;
    return this.store.add(def, o, true);
  }

  remove(def: ResourceDef, obj: any): void {
    this.store.remove(def, obj.metadata.namespace, obj.metadata.name);
  }
}
