// Which view the route shows.
import { EmptyState } from './components/empty-state';
import { href, type Route } from './router';
import { AuditView } from './views/audit-view';
import { ConflictDetailView } from './views/conflict-detail-view';
import { ConflictsView } from './views/conflicts-view';
import { ConnectorsView } from './views/connectors-view';
import { FailedView } from './views/failed-view';
import { OverviewView } from './views/overview-view';
import { ServerTasksView } from './views/server-tasks-view';
import { ServersView } from './views/servers-view';
import { TaskDetailView } from './views/task-detail-view';

export function CurrentView(props: { route: Route }) {
  const { route } = props;
  switch (route.view) {
    case 'overview':
      return <OverviewView />;
    case 'server-tasks':
      return <ServerTasksView key={route.server} server={route.server} />;
    case 'task':
      return <TaskDetailView key={route.taskId} taskId={route.taskId} />;
    case 'failed':
      return <FailedView />;
    case 'connectors':
      return <ConnectorsView key={route.connector ?? ''} connector={route.connector} />;
    case 'servers':
      return <ServersView />;
    case 'audit':
      return <AuditView />;
    case 'conflicts':
      return <ConflictsView />;
    case 'conflict':
      return <ConflictDetailView key={route.conflictId} conflictId={route.conflictId} />;
    default:
      return (
        <EmptyState title="There is no such view.">
          <a href={href.overview()}>Go to the overview</a>.
        </EmptyState>
      );
  }
}
