import { render } from 'solid-js/web';
import { App } from './App.tsx';
import './styles/tokens.css';
import './styles/base.css';
import './styles/shell.css';
import './styles/forms.css';
import './styles/pages.css';
import './styles/components.css';

const root = document.getElementById('app');
if (!root) throw new Error('index.html lost its #app element');
render(() => <App />, root);
