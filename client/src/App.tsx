import { useMemo } from "react";
import { Navigate, Route, Routes } from "react-router-dom";
import { Provider } from "urql";
import { useAuth } from "./auth";
import { Layout } from "./components/Layout";
import { makeClient } from "./graphqlClient";
import { LiveProvider } from "./live";
import { AdminPage } from "./pages/AdminPage";
import { DashboardPage } from "./pages/DashboardPage";
import { FramePage } from "./pages/FramePage";
import { ObservationFormPage } from "./pages/ObservationFormPage";
import { ObservationPage } from "./pages/ObservationPage";
import { ObservationsPage } from "./pages/ObservationsPage";
import { ObservatoriesPage } from "./pages/ObservatoriesPage";
import { ObservatoryPage } from "./pages/ObservatoryPage";
import { ProfilePage } from "./pages/ProfilePage";
import { SignInPage } from "./pages/SignInPage";

export function App() {
  const { session, signOut } = useAuth();
  const userId = session?.user.id;
  // A new client (cache and socket) for each person who signs in.
  const client = useMemo(() => (userId ? makeClient(signOut) : null), [userId, signOut]);

  if (!client) {
    return (
      <Routes>
        <Route path="*" element={<SignInPage />} />
      </Routes>
    );
  }
  return (
    <Provider value={client}>
      <LiveProvider>
        <Routes>
          <Route element={<Layout />}>
            <Route index element={<DashboardPage />} />
            <Route path="observations" element={<ObservationsPage />} />
            <Route path="observations/new" element={<ObservationFormPage />} />
            <Route path="observations/:id" element={<ObservationPage />} />
            <Route path="observations/:id/copy" element={<ObservationFormPage />} />
            <Route path="observations/:id/edit" element={<ObservationFormPage edit />} />
            <Route path="frames/:id" element={<FramePage />} />
            <Route path="observatories" element={<ObservatoriesPage />} />
            <Route path="observatories/:id" element={<ObservatoryPage />} />
            <Route path="admin" element={<AdminPage />} />
            <Route path="profile" element={<ProfilePage />} />
            <Route path="signin" element={<Navigate to="/" replace />} />
            <Route path="*" element={<Navigate to="/" replace />} />
          </Route>
        </Routes>
      </LiveProvider>
    </Provider>
  );
}
