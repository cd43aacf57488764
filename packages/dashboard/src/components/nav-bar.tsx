// The header: the node's name, the views, and who is signed in with which role.
import type { NodeInfo, Session } from '../api';
import { href, type Route } from '../router';

const VIEWS = [
  { label: 'Overview', to: href.overview(), views: ['overview', 'server-tasks', 'task'] },
  { label: 'Failed', to: href.failed(), views: ['failed'] },
  { label: 'Conflicts', to: href.conflicts(), views: ['conflicts', 'conflict'] },
  { label: 'Connectors', to: href.connectors(), views: ['connectors'] },
  { label: 'Servers', to: href.servers(), views: ['servers'] },
  { label: 'Audit', to: href.audit(), views: ['audit'] },
] as const;

export function NavBar(props: { node: NodeInfo; session: Session; route: Route; onSignOut: () => void }) {
  return (
    <header class="top">
      <a
        class="skip"
        href="#main"
        onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}
      >
        Skip to content
      </a>
      <div class="brand">
        <span class="logo" aria-hidden="true">
          ⇄
        </span>
        <span>
          syncbus <strong>{props.node.nodeName}</strong>
        </span>
      </div>
      <nav aria-label="Views">
        <ul>
          {VIEWS.map((view) => (
            <li key={view.label}>
              <a
                href={view.to}
                aria-current={
                  (view.views as readonly string[]).includes(props.route.view) ? 'page' : undefined
                }
              >
                {view.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="who">
        <span>
          {props.session.name} <span class="role">({props.session.role})</span>
        </span>
        <button type="button" onClick={props.onSignOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}
