import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { whenSignedOut, worthRetrying } from './api';
import { App } from './App';
import { Router } from './router';
import { SESSION_ENDED, SessionProvider } from './session';
import './styles.css';

const queries = new QueryClient({
  defaultOptions: { queries: { staleTime: 30_000, refetchOnWindowFocus: false, retry: worthRetrying } },
});

// A 401 anywhere means the session ended (idle, signed out elsewhere): back to sign-in, saying so.
whenSignedOut(() => {
  if (!queries.getQueryData(['session'])) return;
  queries.setQueryData(SESSION_ENDED, true);
  queries.setQueryData(['session'], null);
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <Router>
        <SessionProvider>
          <App />
        </SessionProvider>
      </Router>
    </QueryClientProvider>
  </StrictMode>,
);
