import { lazy, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { RequireAuth } from './auth/RequireAuth';
import { SessionProvider, useSession } from './auth/session';
import { BrandProvider } from './branding/brand';
import { Loading } from './components/Loading';
import { homeFor } from './layout/menu';

const AppLayout = lazy(() => import('./layout/AppLayout'));
const LoginPage = lazy(() => import('./pages/LoginPage'));
const ChangePasswordPage = lazy(() => import('./pages/ChangePasswordPage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));
const JoinPage = lazy(() => import('./join/JoinPage'));
const MeetingRoom = lazy(() => import('./room/MeetingRoom'));
const SchedulePage = lazy(() => import('./pages/meetings/SchedulePage'));
const BookPage = lazy(() => import('./pages/meetings/BookPage'));
const MeetingPage = lazy(() => import('./pages/meetings/MeetingPage'));
const InstantPage = lazy(() => import('./pages/meetings/InstantPage'));
const HistoryPage = lazy(() => import('./pages/meetings/HistoryPage'));
const ResourcesPage = lazy(() => import('./pages/meetings/ResourcesPage'));
const DirectoryPage = lazy(() => import('./pages/directory/DirectoryPage'));
const BrandingPage = lazy(() => import('./pages/settings/BrandingPage'));
const RoomsPage = lazy(() => import('./pages/admin/RoomsPage'));
const EnterprisesPage = lazy(() => import('./pages/admin/EnterprisesPage'));
const ProfilePage = lazy(() => import('./pages/ProfilePage'));

function Home() {
  const { me } = useSession();
  return me ? <Navigate to={homeFor(me.role)} replace /> : <Loading />;
}

const MEMBERS = ['MEMBER', 'ENTERPRISE_ADMIN'] as const;

export default function App() {
  return (
    <SessionProvider>
      <BrandProvider>
        <BrowserRouter>
          <Suspense fallback={<Loading height={400} />}>
            <Routes>
              <Route path="/login" element={<LoginPage />} />
              <Route path="/change-password" element={<ChangePasswordPage />} />
              {/* Guests join without an account. */}
              <Route path="/join" element={<JoinPage />} />
              <Route path="/join/:number" element={<JoinPage />} />
              <Route path="/meeting/:number" element={<MeetingRoom />} />
              <Route
                element={
                  <RequireAuth>
                    <AppLayout />
                  </RequireAuth>
                }
              >
                <Route index element={<Home />} />
                <Route path="schedule" element={<RequireAuth roles={[...MEMBERS]}><SchedulePage /></RequireAuth>} />
                <Route path="book" element={<RequireAuth roles={[...MEMBERS]}><BookPage /></RequireAuth>} />
                <Route path="meetings/:id" element={<RequireAuth roles={[...MEMBERS]}><MeetingPage /></RequireAuth>} />
                <Route path="meetings/:id/edit" element={<RequireAuth roles={[...MEMBERS]}><BookPage /></RequireAuth>} />
                <Route path="instant" element={<RequireAuth roles={[...MEMBERS]}><InstantPage /></RequireAuth>} />
                <Route path="history" element={<RequireAuth roles={[...MEMBERS]}><HistoryPage /></RequireAuth>} />
                <Route path="resources" element={<RequireAuth roles={[...MEMBERS]}><ResourcesPage /></RequireAuth>} />
                <Route path="directory" element={<RequireAuth roles={['ENTERPRISE_ADMIN']}><DirectoryPage /></RequireAuth>} />
                <Route path="rooms" element={<RequireAuth roles={['ENTERPRISE_ADMIN']}><RoomsPage /></RequireAuth>} />
                <Route path="settings/branding" element={<RequireAuth roles={['ENTERPRISE_ADMIN']}><BrandingPage /></RequireAuth>} />
                <Route path="admin/enterprises" element={<RequireAuth roles={['PLATFORM_ADMIN']}><EnterprisesPage /></RequireAuth>} />
                <Route path="admin/rooms" element={<RequireAuth roles={['PLATFORM_ADMIN']}><RoomsPage /></RequireAuth>} />
                <Route path="profile" element={<ProfilePage />} />
                <Route path="*" element={<NotFoundPage />} />
              </Route>
            </Routes>
          </Suspense>
        </BrowserRouter>
      </BrandProvider>
    </SessionProvider>
  );
}
