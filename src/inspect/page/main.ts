/**
 * Entry point of the inspector page (bundled by scripts/build-page.mjs into
 * dist/inspect/page/assets/page.js): connects to the server that served the page, with the
 * token from the page's own address.
 */
import { App } from './app.js';
import { Connection, socketUrl } from './connection.js';

const app = new App(document);
if (!new URLSearchParams(location.search).has('token')) {
  app.status({ state: 'closed', retryInMs: 0, reason: 'no token in the address: open the URL that inspect() returned' });
} else {
  const connection = new Connection(socketUrl(location), {
    message: (message) => app.message(message),
    status: (status) => app.status(status),
  });
  addEventListener('pagehide', () => connection.close());
}
