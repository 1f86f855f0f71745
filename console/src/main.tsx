// The agent console at /agent/: same origin as the API, so no CORS and a CSP of 'self' only.
import { render } from 'preact'
import { App } from './components/App'
import './styles.css'

render(<App />, document.getElementById('app')!)
