/** Server-side printing of Endpoints and EndpointSlices, as the API server's printers format them. */
import { AGE, col, NAME, type Printer } from "./table-columns.js";
import { ageOf } from "./util.js";

/** at most three items, then ` + N more...` (the printers' formatEndpoints / formatDiscovery* rule) */
function firstThree(items: string[], empty: string): string {
  if (!items.length) return empty;
  const shown = items.slice(0, 3).join(",");
  return items.length > 3 ? `${shown} + ${items.length - 3} more...` : shown;
}

function hostPort(ip: string, port: number | undefined): string {
  const host = ip.includes(":") ? `[${ip}]` : ip;
  return port === undefined ? ip : `${host}:${port}`;
}

/** formatEndpoints: the ready addresses of every subset, with each of its ports */
function endpointsCell(e: any): string {
  const subsets: any[] = e.subsets ?? [];
  if (!subsets.length) return "<none>";
  const out: string[] = [];
  for (const ss of subsets) {
    const ports: any[] = ss.ports ?? [];
    for (const a of ss.addresses ?? []) {
      if (!ports.length) out.push(a.ip);
      for (const p of ports) out.push(hostPort(a.ip, p.port));
    }
  }
  return firstThree(out, "<none>");
}

export const ENDPOINT_PRINTERS: Record<string, Printer> = {
  Endpoints: {
    columns: [NAME, col("Endpoints", "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service."), AGE],
    cells: (e, now) => [e.metadata.name, endpointsCell(e), ageOf(e.metadata.creationTimestamp, now)],
  },
  EndpointSlice: {
    columns: [
      NAME,
      col("AddressType", "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation."),
      col("Ports", "ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates \"all ports\". Each slice may include a maximum of 100 ports."),
      col("Endpoints", "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints."),
      AGE,
    ],
    cells: (s, now) => [
      s.metadata.name,
      s.addressType ?? "",
      firstThree((s.ports ?? []).map((p: any) => (p.port === undefined ? "unset" : String(p.port))), "<unset>"),
      firstThree((s.endpoints ?? []).flatMap((e: any) => e.addresses ?? []), "<unset>"),
      ageOf(s.metadata.creationTimestamp, now),
    ],
  },
};
