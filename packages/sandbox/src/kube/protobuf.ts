/**
 * Minimal decoder for Kubernetes protobuf request bodies ("k8s\0" + runtime.Unknown).
 * kubectl's typed clients (e.g. `kubectl create namespace`) send protobuf; only the few
 * simple kinds below are understood, anything else gets 415.
 */
import { ApiError } from "./errors.js";
import { decodeReviewSpec } from "./auth/protobuf-reviews.js";

type Field = { no: number; wire: number; v: number | Buffer };

function varint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let mul = 1;
  for (;;) {
    if (pos >= buf.length) throw new Error("truncated varint");
    const b = buf[pos++];
    result += (b & 0x7f) * mul;
    mul *= 128;
    if (!(b & 0x80)) break;
  }
  return [result, pos];
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    let key: number;
    [key, pos] = varint(buf, pos);
    const no = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      let v: number;
      [v, pos] = varint(buf, pos);
      out.push({ no, wire, v });
    } else if (wire === 2) {
      let len: number;
      [len, pos] = varint(buf, pos);
      out.push({ no, wire, v: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 1) {
      out.push({ no, wire, v: buf.subarray(pos, pos + 8) });
      pos += 8;
    } else if (wire === 5) {
      out.push({ no, wire, v: buf.subarray(pos, pos + 4) });
      pos += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const str = (f: Field) => (f.v as Buffer).toString("utf8");

function map(fs: Field[], no: number, bytes = false): Record<string, string> | undefined {
  const entries = fs.filter((f) => f.no === no);
  if (!entries.length) return undefined;
  const out: Record<string, string> = {};
  for (const e of entries) {
    const kv = fields(e.v as Buffer);
    const k = kv.find((x) => x.no === 1);
    const v = kv.find((x) => x.no === 2);
    out[k ? str(k) : ""] = v ? (bytes ? (v.v as Buffer).toString("base64") : str(v)) : "";
  }
  return out;
}

function strings(fs: Field[], no: number): string[] | undefined {
  const l = fs.filter((f) => f.no === no).map(str);
  return l.length ? l : undefined;
}

function one(fs: Field[], no: number): Field | undefined {
  return fs.find((f) => f.no === no);
}

function objectMeta(buf: Buffer): any {
  const fs = fields(buf);
  const m: any = {};
  // Go's generated marshalers write every string field, empty ones too; ObjectMeta's are all omitempty, so an
  // empty one is absent (a real API server never answers `generateName: ""`).
  const s = (no: number, key: string) => {
    const f = one(fs, no);
    if (f && str(f) !== "") m[key] = str(f);
  };
  s(1, "name");
  s(2, "generateName");
  s(3, "namespace");
  s(5, "uid");
  s(6, "resourceVersion");
  const labels = map(fs, 11);
  if (labels) m.labels = labels;
  const ann = map(fs, 12);
  if (ann) m.annotations = ann;
  const fin = strings(fs, 14);
  if (fin) m.finalizers = fin;
  return m;
}

export function decodeK8sProtobuf(body: Buffer): any {
  if (body.length < 4 || body.subarray(0, 4).toString("binary") !== "k8s\0") {
    throw new ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf");
  }
  try {
    const unk = fields(body.subarray(4));
    const tm = one(unk, 1);
    const raw = one(unk, 2);
    let apiVersion = "";
    let kind = "";
    if (tm) {
      const t = fields(tm.v as Buffer);
      apiVersion = t.find((x) => x.no === 1) ? str(t.find((x) => x.no === 1)!) : "";
      kind = t.find((x) => x.no === 2) ? str(t.find((x) => x.no === 2)!) : "";
    }
    const fs = raw ? fields(raw.v as Buffer) : [];
    const md = one(fs, 1);
    const obj: any = { apiVersion, kind, metadata: md ? objectMeta(md.v as Buffer) : {} };
    switch (kind) {
      case "Namespace": {
        const spec = one(fs, 2);
        if (spec) {
          const fin = strings(fields(spec.v as Buffer), 1);
          obj.spec = fin ? { finalizers: fin } : {};
        }
        return obj;
      }
      case "ConfigMap": {
        const data = map(fs, 2);
        if (data) obj.data = data;
        const bin = map(fs, 3, true);
        if (bin) obj.binaryData = bin;
        const imm = one(fs, 4);
        if (imm) obj.immutable = imm.v === 1;
        return obj;
      }
      case "Secret": {
        const data = map(fs, 2, true);
        if (data) obj.data = data;
        const t = one(fs, 3);
        if (t && str(t) !== "") obj.type = str(t);
        const sd = map(fs, 4);
        if (sd) obj.stringData = sd;
        const imm = one(fs, 5);
        if (imm) obj.immutable = imm.v === 1;
        return obj;
      }
      case "ServiceAccount":
        return obj;
      default: {
        // kubectl auth can-i / whoami send their self-reviews as protobuf.
        const reviewSpec = decodeReviewSpec(kind, fs, fields);
        if (reviewSpec) return { ...obj, spec: reviewSpec };
        throw new ApiError(415, "UnsupportedMediaType", `the sandbox cannot decode protobuf bodies of kind ${kind || "<unknown>"}; send application/json`);
      }
    }
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(400, "BadRequest", `unable to decode protobuf body: ${(e as Error).message}`);
  }
}
