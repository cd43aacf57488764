// How a connector's state reads: enabled, disabled, paused by an operator, or not working until when and why.
import type { Connector } from './api';
import { formatTime } from './format';

export function connectorStateText(c: Connector): string {
  if (!c.enabled) return 'disabled';
  if (c.pausedByOperator) return 'paused by an operator: its tasks are logged and wait until it is resumed';
  if (!c.paused) return 'enabled';
  if (c.paused.until === null) return `paused: ${c.paused.reason}`;
  return `paused until ${formatTime(c.paused.until)}: ${c.paused.reason}`;
}
