import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";
import { getCurrentSession, rawGraphQL, setCurrentSession } from "./session";
import type { Session, SessionUser } from "./session";

const LOGIN = `mutation Login($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    __typename
    ... on LoginSuccess { accessToken expiresIn refreshToken user { id email fullName isSiteAdmin } }
    ... on InvalidCredentials { message }
    ... on TooManyAttempts { message retryAfterSeconds }
  }
}`;

const REFRESH = `mutation Refresh($token: String!) {
  refreshToken(input: {refreshToken: $token}) {
    __typename
    ... on LoginSuccess { accessToken expiresIn refreshToken user { id email fullName isSiteAdmin } }
    ... on InvalidToken { message }
  }
}`;

const LOGOUT = `mutation Logout($token: String!) {
  logout(input: {refreshToken: $token}) { __typename }
}`;

interface LoginAnswer {
  __typename: string;
  message?: string;
  accessToken?: string;
  expiresIn?: number;
  refreshToken?: string;
  user?: SessionUser;
}

function toSession(answer: LoginAnswer): Session {
  return {
    accessToken: answer.accessToken ?? "",
    refreshToken: answer.refreshToken ?? "",
    expiresAt: Date.now() + (answer.expiresIn ?? 0) * 1000,
    user: answer.user as SessionUser,
  };
}

interface AuthValue {
  session: Session | null;
  signIn(email: string, password: string): Promise<string | null>;
  signOut(): void;
  replaceTokens(answer: LoginAnswer): void;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(getCurrentSession());

  const apply = useCallback((next: Session | null) => {
    setCurrentSession(next);
    setSession(next);
  }, []);

  const signIn = useCallback(
    async (email: string, password: string): Promise<string | null> => {
      const data = await rawGraphQL<{ login: LoginAnswer }>(LOGIN, { email, password });
      if (data.login.__typename !== "LoginSuccess") {
        return data.login.message ?? "Could not sign in.";
      }
      apply(toSession(data.login));
      return null;
    },
    [apply],
  );

  const signOut = useCallback(() => {
    const refresh = getCurrentSession()?.refreshToken;
    if (refresh) void rawGraphQL(LOGOUT, { token: refresh }).catch(() => undefined);
    apply(null);
  }, [apply]);

  const replaceTokens = useCallback((answer: LoginAnswer) => apply(toSession(answer)), [apply]);

  // Refresh the access token a minute before it expires; a failed refresh signs out.
  useEffect(() => {
    if (!session) return;
    const delay = Math.max(session.expiresAt - Date.now() - 60_000, 1_000);
    const timer = window.setTimeout(async () => {
      try {
        const data = await rawGraphQL<{ refreshToken: LoginAnswer }>(REFRESH, {
          token: session.refreshToken,
        });
        if (data.refreshToken.__typename === "LoginSuccess") apply(toSession(data.refreshToken));
        else apply(null);
      } catch {
        // The network is down: try again on the next render.
      }
    }, delay);
    return () => window.clearTimeout(timer);
  }, [session, apply]);

  const value = useMemo(
    () => ({ session, signIn, signOut, replaceTokens }),
    [session, signIn, signOut, replaceTokens],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}
