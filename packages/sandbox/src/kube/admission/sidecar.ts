// A mutating rule like a service mesh's injector: pods created in namespaces labelled `sidecar-injection: enabled`
// get a proxy container (so their containers differ from their template, as with Istio or Linkerd).

export const SIDECAR_LABEL = "sidecar-injection";
export const SIDECAR_NAME = "sidecar-proxy";
export const SIDECAR_IMAGE = "registry.example.com/sidecar-proxy:1.25.0";

export function injectSidecar(namespace: any, pod: any): void {
  if (namespace?.metadata?.labels?.[SIDECAR_LABEL] !== "enabled") return;
  const containers: any[] = pod.spec?.containers ?? [];
  if (containers.some((c) => c.name === SIDECAR_NAME)) return;
  containers.push({
    name: SIDECAR_NAME,
    image: SIDECAR_IMAGE,
    imagePullPolicy: "IfNotPresent",
    ports: [{ name: "proxy", containerPort: 15001, protocol: "TCP" }],
    resources: {},
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
  });
  pod.spec.containers = containers;
  pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), "sidecar.sandbox.tugboat.dev/status": "injected" };
}
