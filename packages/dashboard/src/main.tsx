// The dashboard's entry point: renders the app into the page the node serves at /syncbus/admin/.
import { render } from 'preact';
import { App } from './app';
import './styles.css';

render(<App />, document.getElementById('app')!);
