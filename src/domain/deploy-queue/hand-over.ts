import { errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import { mention, rich, textReply } from "../../core/reply.js";
import type { Services } from "../../core/services.js";
import { readLock } from "../deploy/deploy-lock.js";
import { resolveDeployEnv } from "../deploy/resolve-deploy-env.js";
import { humanDuration, utcMinute } from "../format/human-duration.js";
import { coordinationOf } from "../replicas/coordination.js";
import { activeFreezes } from "../freeze/check-freeze.js";
import { handOver, queueSettings, type Handover } from "./deploy-queue.js";
import { listQueues, readQueue, type QueueKey, type QueueTurn } from "./queue-store.js";

// Handing the environment to the next person in its queue: when a deploy releases the lock, when a lock is
// removed, and on every round of the leader (a lock that expired because its replica died, a turn that ran out).
// The handover itself is one conditional write (deploy-queue.ts); the replica whose write won mentions the person,
// or for `--auto` starts their deploy through the router as them.

/** The command a queued entry stands for, as its person would type it (an --auto entry's at the commit it was queued at). */
export function queuedCommand(turn: Pick<QueueTurn, "target" | "env" | "sha">, app: string): string {
  return `/deploy ${app} ${turn.sha ?? turn.target} to ${turn.env}`;
}

export async function handOverQueue(services: Services, key: QueueKey, log: Logger): Promise<Handover> {
  const c = coordinationOf(services);
  const state = await readQueue(c, key);
  if (state.entries.length === 0 && !state.turn) return {};
  const env = resolveDeployEnv(services.config, key.app, key.env);
  const lock = await readLock(services.kube.cluster(env.cluster), env.namespace, env.lockName, c.now());
  // During a freeze no turn starts (its deploy would be refused): the line waits, and unfreezing or the leader's
  // round after the window hands over.
  const frozen = (await activeFreezes(services.config, c, [key.env])).length > 0;
  const done = await handOver(c, key, (!lock || lock.expired) && !frozen, queueSettings(services.config));
  if (done.passed) {
    const p = done.passed;
    await post(services, log, p.channel, rich`${mention(p.user)}'s turn to deploy ${key.app} ${key.env} passed: it was not started by ${utcMinute(p.until)}.`);
  }
  if (done.turn) await announce(services, key, done.turn, log);
  return done;
}

async function announce(services: Services, key: QueueKey, turn: QueueTurn, log: Logger): Promise<void> {
  const command = queuedCommand(turn, key.app);
  const minutes = humanDuration(Date.parse(turn.until) - Date.parse(turn.since));
  if (turn.auto && services.runOnBehalf) {
    await post(services, log, turn.channel, rich`${mention(turn.user)}, it is your turn in the ${key.app} ${key.env} queue: starting \`${command}\` for you (--auto).`);
    // Not awaited: a deploy takes minutes, and whoever handed over (a finished deploy, the leader) goes on.
    void services.runOnBehalf({ user: turn.user, channel: turn.channel, command }).catch((err) => log.warn("the queued deploy could not be started", { user: turn.user, error: errorMessage(err) }));
    return;
  }
  await post(
    services,
    log,
    turn.channel,
    rich`${mention(turn.user)}, it is your turn to deploy ${key.app} ${key.env}: start within ${minutes} (by ${utcMinute(turn.until)}) with \`${command}\`, or give it up with \`/deploy queue leave ${key.env}\`.`,
  );
}

async function post(services: Services, log: Logger, channel: string, text: ReturnType<typeof rich>): Promise<void> {
  try {
    await services.notifier.post(channel, textReply(text, "info"));
  } catch (err) {
    log.warn("could not post to the deploy queue's channel", { channel, error: errorMessage(err) });
  }
}

/** The leader's round: every queue whose environment is free and whose turn is over moves on. */
export async function handOverAll(services: Services, log: Logger): Promise<void> {
  const queues = await listQueues(coordinationOf(services));
  for (const { key, state } of queues) {
    if (state.entries.length === 0 && !state.turn) continue;
    try {
      await handOverQueue(services, key, log);
    } catch (err) {
      log.warn("deploy queue handover failed", { app: key.app, environment: key.env, error: errorMessage(err) });
    }
  }
}
