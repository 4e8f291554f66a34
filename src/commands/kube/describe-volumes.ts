import type { V1Volume } from "../../gateways/kube-models.js";
import type { DescribeWriter } from "./describe-writer.js";

// kubectl's describeVolumes for the common volume sources; other sources print `<unknown>` as kubectl does for
// sources it does not know.

function source(w: DescribeWriter, type: string, fields: Array<[string, unknown]>): void {
  w.line(2, `Type:\t${type}`);
  for (const [k, v] of fields) w.line(2, `${k}:\t${v === undefined || v === null ? "" : String(v)}`);
}

function volumeSource(w: DescribeWriter, v: V1Volume): void {
  if (v.hostPath) return source(w, "HostPath (bare host directory volume)", [["Path", v.hostPath.path], ["HostPathType", v.hostPath.type ?? "<none>"]]);
  if (v.emptyDir) {
    const limit = v.emptyDir.sizeLimit && v.emptyDir.sizeLimit !== "0" ? v.emptyDir.sizeLimit : "<unset>";
    return source(w, "EmptyDir (a temporary directory that shares a pod's lifetime)", [["Medium", v.emptyDir.medium ?? ""], ["SizeLimit", limit]]);
  }
  if (v.secret) return source(w, "Secret (a volume populated by a Secret)", [["SecretName", v.secret.secretName ?? ""], ["Optional", v.secret.optional === true]]);
  if (v.configMap) return source(w, "ConfigMap (a volume populated by a ConfigMap)", [["Name", v.configMap.name ?? ""], ["Optional", v.configMap.optional === true]]);
  if (v.nfs) return source(w, "NFS (an NFS mount that lasts the lifetime of a pod)", [["Server", v.nfs.server], ["Path", v.nfs.path], ["ReadOnly", v.nfs.readOnly === true]]);
  if (v.persistentVolumeClaim) {
    return source(w, "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)", [
      ["ClaimName", v.persistentVolumeClaim.claimName],
      ["ReadOnly", v.persistentVolumeClaim.readOnly === true],
    ]);
  }
  if (v.downwardAPI) {
    w.write(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n");
    for (const item of v.downwardAPI.items ?? []) {
      if (item.fieldRef) w.line(3, `${item.fieldRef.fieldPath} -> ${item.path}`);
      if (item.resourceFieldRef) w.line(3, `${item.resourceFieldRef.resource} -> ${item.path}`);
    }
    return;
  }
  if (v.projected) {
    w.line(2, "Type:\tProjected (a volume that contains injected data from multiple sources)");
    for (const s of v.projected.sources ?? []) {
      const opt = (o: unknown) => (o === undefined || o === null ? "<nil>" : String(o));
      if (s.secret) w.write(2, `SecretName:\t${s.secret.name ?? ""}\n    SecretOptionalName:\t${opt(s.secret.optional)}\n`);
      else if (s.downwardAPI) w.line(2, "DownwardAPI:\ttrue");
      else if (s.configMap) w.write(2, `ConfigMapName:\t${s.configMap.name ?? ""}\n    ConfigMapOptional:\t${opt(s.configMap.optional)}\n`);
      else if (s.serviceAccountToken) w.line(2, `TokenExpirationSeconds:\t${s.serviceAccountToken.expirationSeconds ?? 0}`);
    }
    return;
  }
  if (v.csi) {
    source(w, "CSI (a Container Storage Interface (CSI) volume source)", [["Driver", v.csi.driver], ["FSType", v.csi.fsType ?? ""], ["ReadOnly", v.csi.readOnly === true]]);
    // PrefixWriter indents every Write, so the continuation lines carry the indent three times.
    const attrs = v.csi.volumeAttributes ?? {};
    const keys = Object.keys(attrs).sort();
    w.write(2, "VolumeAttributes:\t");
    if (keys.length === 0) return w.write(0, "<none>\n");
    keys.forEach((k, i) => {
      if (i !== 0) w.write(0, "        \t");
      const line = `${k}=${attrs[k]}`;
      w.write(2, `${line.length > 140 ? line.slice(0, 140) + "..." : line}\n`);
    });
    return;
  }
  if (v.image) return source(w, "Image (a container image or OCI artifact)", [["Reference", v.image.reference ?? ""], ["PullPolicy", v.image.pullPolicy ?? ""]]);
  w.line(1, "<unknown>");
}

/** describeVolumes; `space` is "  " inside a pod template. */
export function describeVolumes(w: DescribeWriter, volumes: V1Volume[] | undefined, space: string): void {
  if (!volumes || volumes.length === 0) return w.line(0, `${space}Volumes:\t<none>`);
  w.line(0, `${space}Volumes:`);
  for (const v of volumes) {
    w.line(1, `${space ? " " : ""}${v.name}:`);
    volumeSource(w, v);
  }
}
