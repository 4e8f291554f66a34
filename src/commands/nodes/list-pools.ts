import { defineCommand } from "../../core/command.js";
import { DeniedError } from "../../core/errors.js";
import { readPools, requireClusterApi } from "../../domain/nodes/read-pools.js";
import { explainKubeError } from "../../domain/nodes/explain-kube-error.js";
import { LIST_USAGE, parseListArgs, type ListArgs } from "./parse-nodes-args.js";
import { renderPoolList } from "./render-pools.js";
import { poolSourceFor, resolveClusterName } from "./resolve-cluster.js";
import { poolsWhere } from "../../domain/nodes/pool-source.js";

// /nodes list: read-only, so it needs the read permission every viewer has (kube:get), scoped like /kube.

export const listPoolsCommand = defineCommand<ListArgs>({
  family: "nodes",
  verb: "list",
  summary: "Node pools (Cluster API MachineDeployments): replicas, instance type, autoscaler bounds and Nodes",
  usage: LIST_USAGE,
  examples: ["/nodes list", "/nodes list --cluster production"],
  sideEffects: false,
  parse: parseListArgs,
  permission: () => "kube:get",
  async run(args, ctx) {
    const clusterName = resolveClusterName(args.cluster, ctx, LIST_USAGE);
    const source = poolSourceFor(ctx, clusterName, LIST_USAGE);
    // Scoped by the workload cluster the pools belong to, also when their objects live in a management cluster.
    for (const resource of ["machinedeployments", "machines"]) {
      if (await ctx.auth.allows("kube:get", { cluster: clusterName, namespace: source.namespace, resource })) continue;
      // The bare denial ("namespace `default` is not allowed") named a namespace the caller never asked for.
      throw new DeniedError(
        `Denied: the node pools of ${clusterName} are Cluster API ${resource} in namespace \`${source.namespace}\` of ${source.capi === source.nodes ? clusterName : `the management cluster ${source.capi.name}`}, which your /kube scope on ${clusterName} does not cover.`,
        "kube:get",
      );
    }
    await ctx.auth.require("kube:get", { cluster: clusterName, resource: "nodes" });
    let pools;
    try {
      await requireClusterApi(source);
      pools = await readPools(source);
    } catch (err) {
      explainKubeError(err, poolsWhere(source), "list node pools");
    }
    await ctx.reply.send(renderPoolList(source, pools, ctx.services.clock.now()));
  },
});
