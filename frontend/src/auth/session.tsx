// The signed-in account and the GraphQL client it uses. Hooks are the only way in:
// useSession() throws outside SessionProvider.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Provider as UrqlProvider, type Client } from 'urql';
import { makeClient, type ApiClient } from '../api/client';
import { hasCode, isNetworkError } from '../api/errors';
import { graphql } from '../gql';
import i18n, { langChosen, setLang } from '../i18n';
import { signInName } from '../lib/validation';
import type { MeQuery, Role } from '../gql/graphql';

export const MeDocument = graphql(`
  query Me {
    me {
      id
      name
      email
      phone
      department
      title
      employeeNo
      role
      language
      mustChangePassword
      enterprise {
        id
        name
        code
        quota
        branding {
          primaryColor
          mode
          slogan
          logoUrl
          domains
        }
      }
    }
  }
`);

const LoginDocument = graphql(`
  mutation Login($email: String, $phone: String, $password: String!) {
    login(email: $email, phone: $phone, password: $password) {
      token
      expiresAt
      user {
        id
      }
    }
  }
`);

const LogoutDocument = graphql(`
  mutation Logout {
    logout
  }
`);

export type Me = MeQuery['me'];

export interface Session {
  /** The account, null when signed out; undefined while the first check runs. */
  me: Me | null | undefined;
  /** The first check failed for another reason than being signed out (server down). */
  error: unknown;
  client: Client;
  /** Signs in with an email or a phone number (see signInName); throws the urql CombinedError on failure. */
  login: (name: string, password: string) => Promise<Me>;
  logout: () => Promise<void>;
  /** Reloads the account (after changes to it or its enterprise). */
  refresh: () => Promise<void>;
  /** The session ended elsewhere (expired, frozen, logged out in another tab). */
  expired: boolean;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession must be used inside <SessionProvider>');
  return s;
}

/** The signed-in account; throws when signed out (use inside RequireAuth only). */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('useMe must be used on signed-in pages');
  return me;
}

export const isPlatformAdmin = (r: Role | undefined) => r === 'PLATFORM_ADMIN';
export const isEnterpriseAdmin = (r: Role | undefined) => r === 'ENTERPRISE_ADMIN';
export const hasEnterprise = (r: Role | undefined) => r === 'ENTERPRISE_ADMIN' || r === 'MEMBER';

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [expired, setExpired] = useState(false);
  const meRef = useRef(me);
  meRef.current = me;
  const onUnauth = useRef<() => void>(() => {});
  const [api, setApi] = useState<ApiClient>(() => makeClient({ onUnauthenticated: () => onUnauth.current() }));

  const fresh = useCallback(() => {
    setApi((old) => {
      old.dispose();
      return makeClient({ onUnauthenticated: () => onUnauth.current() });
    });
  }, []);

  onUnauth.current = () => {
    if (meRef.current) {
      setExpired(true);
      setMe(null);
      fresh();
    }
  };

  const load = useCallback(
    async (client: Client): Promise<Me | null> => {
      const r = await client.query(MeDocument, {}, { requestPolicy: 'network-only' }).toPromise();
      if (r.data) {
        setError(null);
        setMe(r.data.me);
        // A browser without a choice of its own follows the account's language.
        const lang = r.data.me.language === 'en' ? 'en' : 'zh-CN';
        if (!langChosen() && i18n.language !== lang) void setLang(lang);
        return r.data.me;
      }
      if (r.error && hasCode(r.error, 'UNAUTHENTICATED')) {
        setError(null);
        setMe(null);
        return null;
      }
      setError(r.error ?? new Error('no data'));
      setMe((cur) => (cur === undefined ? null : cur));
      if (r.error && isNetworkError(r.error)) return null;
      return null;
    },
    [],
  );

  useEffect(() => {
    void load(api.client);
    // Only on mount: later changes go through login/logout/refresh.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => () => api.dispose(), [api]);

  const login = useCallback(
    async (name: string, password: string) => {
      const r = await api.client.mutation(LoginDocument, { ...signInName(name), password }).toPromise();
      if (r.error || !r.data) throw r.error ?? new Error('no data');
      // A new client: nothing cached from before, a websocket with the new cookie.
      const next = makeClient({ onUnauthenticated: () => onUnauth.current() });
      const m = await load(next.client);
      setApi((old) => {
        old.dispose();
        return next;
      });
      setExpired(false);
      if (!m) throw new Error('signed in, but the account could not be read');
      return m;
    },
    [api, load],
  );

  const logout = useCallback(async () => {
    await api.client.mutation(LogoutDocument, {}).toPromise();
    setMe(null);
    setExpired(false);
    fresh();
  }, [api, fresh]);

  const refresh = useCallback(async () => {
    await load(api.client);
  }, [api, load]);

  const value = useMemo<Session>(
    () => ({ me, error, client: api.client, login, logout, refresh, expired }),
    [me, error, api, login, logout, refresh, expired],
  );
  return (
    <SessionContext.Provider value={value}>
      <UrqlProvider value={api.client}>{children}</UrqlProvider>
    </SessionContext.Provider>
  );
}
