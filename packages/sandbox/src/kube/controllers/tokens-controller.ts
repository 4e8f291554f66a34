import { clone, randomHex } from "../util.js";
import type { ControllerContext } from "./context.js";
import { SANDBOX_ROOT_CA } from "./namespace-defaults.js";
import { D } from "./objects.js";

export const SERVICE_ACCOUNT_TOKEN_TYPE = "kubernetes.io/service-account-token";
const SA_NAME = "kubernetes.io/service-account.name";
const SA_UID = "kubernetes.io/service-account.uid";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const b64url = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");

/**
 * The legacy tokens controller: a Secret of type service-account-token whose ServiceAccount exists (with the uid
 * its annotation names, if any) gets `token`, `ca.crt` and `namespace` filled in where missing and the uid
 * annotation set; one whose ServiceAccount does not exist, or was deleted, is deleted. The token is shaped like
 * the API server's JWT (RS256 header, the legacy claims) but its signature is random: the sandbox's authenticator
 * does not accept it.
 */
export class TokensController {
  constructor(private ctx: ControllerContext) {}

  /** every service-account-token Secret of a namespace (a namespace is marked when one of them or an SA changes) */
  reconcile(ns: any): void {
    if (ns.metadata.deletionTimestamp) return;
    for (const secret of this.ctx.store.values(D.secret, ns.metadata.name)) {
      if (secret.type === SERVICE_ACCOUNT_TOKEN_TYPE && !secret.metadata.deletionTimestamp) this.sync(secret);
    }
  }

  private sync(secret: any): void {
    const annotations = secret.metadata.annotations ?? {};
    const sa = this.ctx.store.get(D.sa, secret.metadata.namespace, annotations[SA_NAME] ?? "");
    if (!sa || (annotations[SA_UID] && annotations[SA_UID] !== sa.metadata.uid)) {
      this.ctx.api.remove(D.secret, secret);
      return;
    }
    const data = secret.data ?? {};
    const needs = !data.token || data["ca.crt"] !== b64(SANDBOX_ROOT_CA) || !data.namespace || annotations[SA_UID] !== sa.metadata.uid;
    if (!needs) return;
    const next = clone(secret);
    next.metadata.annotations = { ...annotations, [SA_NAME]: sa.metadata.name, [SA_UID]: sa.metadata.uid };
    next.data = { ...data, "ca.crt": b64(SANDBOX_ROOT_CA), namespace: data.namespace || b64(secret.metadata.namespace), token: data.token || b64(this.token(secret, sa)) };
    this.ctx.api.save(D.secret, next);
  }

  private token(secret: any, sa: any): string {
    const ns = secret.metadata.namespace;
    const claims = {
      iss: "kubernetes/serviceaccount",
      "kubernetes.io/serviceaccount/namespace": ns,
      "kubernetes.io/serviceaccount/secret.name": secret.metadata.name,
      "kubernetes.io/serviceaccount/service-account.name": sa.metadata.name,
      "kubernetes.io/serviceaccount/service-account.uid": sa.metadata.uid,
      sub: `system:serviceaccount:${ns}:${sa.metadata.name}`,
    };
    return `${b64url({ alg: "RS256", kid: "sandbox" })}.${b64url(claims)}.${Buffer.from(randomHex(256), "hex").toString("base64url")}`;
  }
}
