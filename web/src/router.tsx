import { createContext, useContext, useEffect, useState, type AnchorHTMLAttributes, type ReactNode } from 'react';

/** The console's own paths, under /console/ (the service answers index.html for all of them). */
const BASE = '/console';

interface Location {
  path: string;
  search: URLSearchParams;
}

const read = (): Location => {
  const path = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : '/';
  // `/console/thresholds/` is `/console/thresholds`.
  return { path: path.replace(/\/+$/, '') || '/', search: new URLSearchParams(window.location.search) };
};

const RouterContext = createContext<{
  location: Location;
  navigate: (to: string) => void;
  /** The same page with another query (filters kept in the address): no new history entry. */
  replace: (to: string) => void;
}>({
  location: read(),
  navigate: () => undefined,
  replace: () => undefined,
});

export function Router({ children }: { children: ReactNode }) {
  const [location, setLocation] = useState(read);
  useEffect(() => {
    const onPop = (): void => setLocation(read());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = (to: string): void => {
    window.history.pushState(null, '', `${BASE}${to}`);
    setLocation(read());
    window.scrollTo(0, 0);
  };
  const replace = (to: string): void => {
    window.history.replaceState(null, '', `${BASE}${to}`);
    setLocation(read());
  };
  return <RouterContext.Provider value={{ location, navigate, replace }}>{children}</RouterContext.Provider>;
}

export const useRouter = () => useContext(RouterContext);

/** A link inside the console: a real href (open in a new tab works), navigated without a reload. */
export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const { navigate } = useRouter();
  return (
    <a
      {...rest}
      href={`${BASE}${to}`}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(to);
      }}
    />
  );
}
