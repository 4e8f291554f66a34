// Istio's networking.istio.io/v1 VirtualService and DestinationRule, as their CRDs' structural schemas type the
// fields Tugboat writes (hosts, http routes with weighted destinations, subsets with labels); the rest of each
// spec is accepted free-form, as Istio's schemas preserve them.
import { labelSelector, objectMeta } from "./core-types.js";
import { s, type Schema } from "./schema.js";

function istioKind(go: string, spec: Schema, desc: string): Schema {
  return s.obj(go, () => ({ apiVersion: s.str(), kind: s.str(), metadata: objectMeta, spec, status: s.any() }), { desc, required: ["spec"] });
}

const destination = s.obj("Destination", () => ({
  host: s.str("The name of a service from the service registry."),
  subset: s.str("The name of a subset within the service."),
  port: s.any(),
}), { required: ["host"] });

const routeDestination = s.obj("HTTPRouteDestination", () => ({
  destination,
  weight: s.int32("Weight specifies the relative proportion of traffic to be forwarded to the destination."),
  headers: s.any(),
}), { required: ["destination"] });

const httpRoute = s.obj("HTTPRoute", () => ({
  name: s.str("The name assigned to the route for debugging purposes."),
  match: s.arr(s.any()),
  route: s.arr(routeDestination, "A HTTP rule can either return a direct_response, redirect or forward (default) traffic."),
  redirect: s.any(), directResponse: s.any(), delegate: s.any(), rewrite: s.any(), timeout: s.str(), retries: s.any(), fault: s.any(),
  mirror: s.any(), mirrors: s.arr(s.any()), mirrorPercentage: s.any(), mirrorPercent: s.any(), corsPolicy: s.any(), headers: s.any(),
}));

const virtualServiceSpec = s.obj("VirtualServiceSpec", () => ({
  hosts: s.strArr("The destination hosts to which traffic is being sent."),
  gateways: s.strArr(),
  http: s.arr(httpRoute, "An ordered list of route rules for HTTP traffic."),
  tls: s.arr(s.any()),
  tcp: s.arr(s.any()),
  exportTo: s.strArr(),
}));

const subset = s.obj("Subset", () => ({
  name: s.str("Name of the subset."),
  labels: s.strMap("Labels apply a filter over the endpoints of a service in the service registry."),
  trafficPolicy: s.any(),
}), { required: ["name"] });

const destinationRuleSpec = s.obj("DestinationRuleSpec", () => ({
  host: s.str("The name of a service from the service registry."),
  trafficPolicy: s.any(),
  subsets: s.arr(subset, "One or more named sets that represent individual versions of a service.", "name"),
  exportTo: s.strArr(),
  workloadSelector: labelSelector,
}), { required: ["host"] });

export const ISTIO_KIND_SCHEMAS: Record<string, Schema> = {
  "networking.istio.io/v1/VirtualService": istioKind("VirtualService", virtualServiceSpec, "Configuration affecting label/content routing, sni routing, etc."),
  "networking.istio.io/v1/DestinationRule": istioKind("DestinationRule", destinationRuleSpec, "Configuration affecting load balancing, outlier detection, etc."),
};
