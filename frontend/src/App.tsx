import { lazy, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { RequireAuth } from './auth/RequireAuth';
import { SessionProvider, useSession } from './auth/session';
import { BrandProvider } from './branding/brand';
import { Loading } from './components/Loading';
import { homeFor } from './layout/menu';

const AppLayout = lazy(() => import('./layout/AppLayout'));
const LoginPage = lazy(() => import('./pages/LoginPage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));

function Home() {
  const { me } = useSession();
  return me ? <Navigate to={homeFor(me.role)} replace /> : <Loading />;
}

export default function App() {
  return (
    <SessionProvider>
      <BrandProvider>
        <BrowserRouter>
          <Suspense fallback={<Loading height={400} />}>
            <Routes>
              <Route path="/login" element={<LoginPage />} />
              <Route
                element={
                  <RequireAuth>
                    <AppLayout />
                  </RequireAuth>
                }
              >
                <Route index element={<Home />} />
                <Route path="*" element={<NotFoundPage />} />
              </Route>
            </Routes>
          </Suspense>
        </BrowserRouter>
      </BrandProvider>
    </SessionProvider>
  );
}
