// Pause / Resume of a server or a connector (operator only): while paused its tasks are still logged and wait,
// nothing is sent; resuming loses nothing.
import { useState } from 'preact/hooks';
import { useApp } from '../app-context';
import { errorText } from './error-state';

const RESUMED: Record<'server' | 'connector', string> = {
  server: 'synchronize to send what waits for it',
  connector: 'its waiting tasks are processed now',
};

export function PauseButton(props: {
  kind: 'server' | 'connector';
  name: string;
  paused: boolean;
  /** The API path of the server or connector; `/pause` or `/resume` is appended. */
  path: string;
  onChanged: () => void;
}) {
  const { client, notify } = useApp();
  const [busy, setBusy] = useState(false);
  const verb = props.paused ? 'Resume' : 'Pause';
  const toggle = async () => {
    setBusy(true);
    try {
      await client.post(`${props.path}/${props.paused ? 'resume' : 'pause'}`);
      notify(
        props.paused
          ? `${props.name} is resumed: ${RESUMED[props.kind]}.`
          : `${props.name} is paused: its tasks are logged and wait until it is resumed.`,
        'success',
      );
      props.onChanged();
    } catch (error) {
      notify(`${verb}: ${errorText(error)}`, 'error');
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" aria-label={`${verb} ${props.name}`} disabled={busy} onClick={toggle}>
      {verb}
    </button>
  );
}
