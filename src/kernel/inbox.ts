/**
 * Each context's inbox: the replies waiting for its top frame, and the
 * mailbox channel fed to it as events (ContextSpec.mailbox). Every entry gets
 * a number in the global pending order when it arrives, which fifo follows.
 */
import type { EventObject } from 'xstate';
import type { KernelEvent } from '../model/effects.js';
import type { ExecContext } from './exec-context.js';
import type { World } from './world.js';
import { wakeAll } from './dispatch.js';

export function reply(w: World, ctx: ExecContext, event: EventObject): void {
  ctx.replies.push({ event, seq: w.nextSeq() });
}

/** Keep each mailbox's pending order in step with its channel's contents (items that arrived get a number). */
export function syncMailboxes(w: World): void {
  // Runs after every effect: an indexed loop over the (few) mailbox owners, no iterator.
  const owners = w.mailboxOwners;
  for (let i = 0; i < owners.length; i++) {
    const owner = owners[i];
    const length = owner.mailbox!.level;
    while (owner.mailboxSeqs.length < length) owner.mailboxSeqs.push(w.nextSeq());
  }
}

/** Take the head of `ctx`'s mailbox as the `get.ok` it is delivered as (the slot freed may wake a writer). */
export function takeMailbox(w: World, ctx: ExecContext): KernelEvent {
  const chan = ctx.mailbox!;
  const r = chan.get(ctx.name, { wait: false });
  ctx.mailboxSeqs.shift();
  w.touched.add(chan);
  wakeAll(w, r.wakeups);
  syncMailboxes(w);
  return { type: 'get.ok', chan: chan.name, item: r.value };
}
