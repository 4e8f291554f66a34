// The port to Prometheus's query API (src/gateways/prometheus implements it over HTTP).

export interface PrometheusGateway {
  /**
   * The value of an instant query that yields one sample (e.g. a sum), or undefined when its result is empty or
   * not a number (no traffic yet: 0/0). Unreachable, timed out or refused: a GatewayError.
   */
  queryNumber(baseUrl: string, promql: string): Promise<number | undefined>;
}
