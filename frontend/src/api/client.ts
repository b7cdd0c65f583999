// The GraphQL client: HTTP for queries and mutations (multipart for uploads),
// graphql-transport-ws for subscriptions, both on /graphql of the page's origin and
// authenticated by the HttpOnly session cookie that login sets.
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from 'urql';
import { createClient as createWSClient, type Client as WSClient } from 'graphql-ws';
import { hasCode } from './errors';

/** What makeClient needs from its owner. */
export interface ClientOptions {
  /** Called when a request of a signed-in page answers UNAUTHENTICATED (session ended). */
  onUnauthenticated: () => void;
}

/** A client and the websocket it subscribes over (closed on dispose). */
export interface ApiClient {
  client: Client;
  dispose: () => void;
}

/** Operations whose UNAUTHENTICATED answer is expected and not a lost session. */
const ANONYMOUS_OK = new Set(['Me', 'Login', 'PublicBranding', 'JoinMeeting']);

export function makeClient(opts: ClientOptions): ApiClient {
  const wsURL = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`;
  const ws: WSClient = createWSClient({
    url: wsURL,
    lazy: true,
    lazyCloseTimeout: 3000,
    retryAttempts: 8,
    // The session cookie rides on the upgrade request; nothing to send in init.
    connectionParams: {},
    shouldRetry: (e) => {
      // 4401: the session ended. Do not hammer the server with it.
      const code = (e as CloseEvent | undefined)?.code;
      return code !== 4401 && code !== 4403;
    },
  });
  const client = new Client({
    url: '/graphql',
    requestPolicy: 'cache-and-network',
    // The server accepts POST only (no GET queries: no CSRF through links or images).
    preferGetMethod: false,
    fetchOptions: { credentials: 'same-origin' },
    exchanges: [
      cacheExchange,
      mapExchange({
        onError(error, operation) {
          const name = operation.query.definitions.find((d) => d.kind === 'OperationDefinition');
          const opName = name && 'name' in name ? name.name?.value : undefined;
          if (hasCode(error, 'UNAUTHENTICATED') && !ANONYMOUS_OK.has(opName ?? '')) opts.onUnauthenticated();
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return { client, dispose: () => void ws.dispose() };
}
