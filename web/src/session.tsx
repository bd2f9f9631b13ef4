import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, type ReactNode } from 'react';
import { api, ApiError, data, useCsrfToken, type Session } from './api';

interface SessionState {
  session: Session | undefined;
  loading: boolean;
  error: unknown;
  /** After a sign-in or sign-out: ask the service again. */
  refresh: () => Promise<void>;
}

/** Set when a request found the session gone: the sign-in page says so. */
export const SESSION_ENDED = ['session-ended'];

const SessionContext = createContext<SessionState>({
  session: undefined,
  loading: true,
  error: undefined,
  refresh: async () => undefined,
});

/** Who is signed in (GET /v1/session); a 401 is "nobody", not an error. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const query = useQuery({
    queryKey: ['session'],
    queryFn: async () => {
      try {
        return await data(api.GET('/v1/session'));
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
  });
  const session = query.data ?? undefined;
  useCsrfToken(session?.csrf_token);
  const refresh = async (): Promise<void> => {
    // What the previous person saw goes; the session is asked again.
    client.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_ENDED[0] && q.queryKey[0] !== 'session' });
    await client.resetQueries({ queryKey: ['session'] });
  };
  return (
    <SessionContext.Provider value={{ session, loading: query.isPending, error: query.error, refresh }}>
      {children}
    </SessionContext.Provider>
  );
}

export const useSession = () => useContext(SessionContext);

const RANK = { reader: 0, editor: 1, admin: 2 } as const;

/** Whether the person's role is at least `role`. */
export function atLeast(session: Session | undefined, role: keyof typeof RANK): boolean {
  return session !== undefined && RANK[session.role] >= RANK[role];
}
