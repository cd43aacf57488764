// Entry of every benchmark child process: receives its role, runs it, sends the result with its resource use.
import 'reflect-metadata';
import { createChildChannel } from './harness/child-channel';
import type { FromChild, ToChild } from './harness/child-messages';
import { ROLES } from './roles';

const channel = createChildChannel();

function send(message: FromChild): Promise<void> {
  return new Promise((resolve) => process.send!(message, () => resolve()));
}

process.once('message', async (message: ToChild) => {
  if (message.kind !== 'init') return;
  try {
    const load = ROLES[message.role];
    if (!load)
      throw new Error(`unknown bench role '${message.role}' (known: ${Object.keys(ROLES).join(', ')})`);
    const role = await load();
    const value = await role(message.config, channel);
    const usage = process.resourceUsage();
    await send({
      kind: 'result',
      value,
      usage: {
        maxRssBytes: usage.maxRSS * 1024,
        userCpuMs: usage.userCPUTime / 1000,
        systemCpuMs: usage.systemCPUTime / 1000,
      },
    });
    process.exit(0);
  } catch (error) {
    const e = error as Error;
    await send({ kind: 'error', message: e.message, stack: e.stack });
    process.exit(1);
  }
});
