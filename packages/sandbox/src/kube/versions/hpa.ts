// HorizontalPodAutoscaler autoscaling/v2 (stored) ↔ autoscaling/v1: v1 knows only a CPU utilization target.
import { clone, isPlainObject } from "../util.js";

const isCpuUtilization = (m: any) => m?.type === "Resource" && m.resource?.name === "cpu" && m.resource?.target?.type === "Utilization";
/** the v2 default when no metric is given */
const DEFAULT_CPU_UTILIZATION = 80;

export function hpaToV1(stored: any): any {
  const o = clone(stored);
  o.apiVersion = "autoscaling/v1";
  const spec = o.spec ?? {};
  const cpu = (spec.metrics ?? []).find(isCpuUtilization);
  o.spec = {
    scaleTargetRef: spec.scaleTargetRef,
    ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
    maxReplicas: spec.maxReplicas,
    ...(cpu ? { targetCPUUtilizationPercentage: cpu.resource.target.averageUtilization } : {}),
  };
  if (isPlainObject(o.status)) {
    const st = o.status;
    const current = (st.currentMetrics ?? []).find((m: any) => m?.type === "Resource" && m.resource?.name === "cpu");
    o.status = {
      ...(st.observedGeneration !== undefined ? { observedGeneration: st.observedGeneration } : {}),
      ...(st.lastScaleTime ? { lastScaleTime: st.lastScaleTime } : {}),
      currentReplicas: st.currentReplicas ?? 0,
      desiredReplicas: st.desiredReplicas ?? 0,
      ...(current?.resource?.current?.averageUtilization !== undefined ? { currentCPUUtilizationPercentage: current.resource.current.averageUtilization } : {}),
    };
  }
  return o;
}

export function hpaToV2(served: any, old?: any): any {
  const o = clone(served);
  o.apiVersion = "autoscaling/v2";
  const spec = o.spec ?? {};
  const pct = spec.targetCPUUtilizationPercentage ?? DEFAULT_CPU_UTILIZATION;
  const others = (old?.spec?.metrics ?? []).filter((m: any) => !isCpuUtilization(m));
  o.spec = {
    scaleTargetRef: spec.scaleTargetRef,
    ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
    maxReplicas: spec.maxReplicas,
    metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: pct } } }, ...others],
    ...(old?.spec?.behavior ? { behavior: old.spec.behavior } : {}),
  };
  delete o.status;
  return o;
}
