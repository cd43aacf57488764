// Hash routing (#/overview, #/servers/:name/tasks, #/tasks/:id, #/conflicts/:id, ...): the node serves one static
// page, so every view has an address without any server-side fallback.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { readonly view: 'overview' }
  | { readonly view: 'server-tasks'; readonly server: string }
  | { readonly view: 'task'; readonly taskId: number }
  | { readonly view: 'failed' }
  | { readonly view: 'connectors'; readonly connector?: string }
  | { readonly view: 'servers' }
  | { readonly view: 'audit' }
  | { readonly view: 'conflicts' }
  | { readonly view: 'conflict'; readonly conflictId: number }
  | { readonly view: 'not-found'; readonly hash: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '') || '/overview';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 1 && parts[0] === 'overview') return { view: 'overview' };
  if (parts.length === 3 && parts[0] === 'servers' && parts[2] === 'tasks')
    return { view: 'server-tasks', server: parts[1] };
  if (parts.length === 2 && parts[0] === 'tasks' && /^\d+$/.test(parts[1]))
    return { view: 'task', taskId: Number(parts[1]) };
  if (parts.length === 1 && parts[0] === 'failed') return { view: 'failed' };
  if (parts[0] === 'connectors' && parts.length <= 2) return { view: 'connectors', connector: parts[1] };
  if (parts.length === 1 && parts[0] === 'servers') return { view: 'servers' };
  if (parts.length === 1 && parts[0] === 'audit') return { view: 'audit' };
  if (parts.length === 1 && parts[0] === 'conflicts') return { view: 'conflicts' };
  if (parts.length === 2 && parts[0] === 'conflicts' && /^\d+$/.test(parts[1]))
    return { view: 'conflict', conflictId: Number(parts[1]) };
  return { view: 'not-found', hash };
}

/** Links to each view. */
export const href = {
  overview: () => '#/overview',
  serverTasks: (server: string) => `#/servers/${encodeURIComponent(server)}/tasks`,
  task: (taskId: number) => `#/tasks/${taskId}`,
  failed: () => '#/failed',
  connectors: (connector?: string) =>
    connector ? `#/connectors/${encodeURIComponent(connector)}` : '#/connectors',
  servers: () => '#/servers',
  audit: () => '#/audit',
  conflicts: () => '#/conflicts',
  conflict: (conflictId: number) => `#/conflicts/${conflictId}`,
};

/** The current route, following hash changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  return route;
}
