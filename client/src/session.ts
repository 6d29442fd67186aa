// The signed-in session: tokens kept in localStorage, refreshed before the access token expires.

export interface SessionUser {
  id: string;
  email: string;
  fullName: string;
  isSiteAdmin: boolean;
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  user: SessionUser;
}

const KEY = "ss.session";

export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function storeSession(session: Session | null): void {
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
}

let current: Session | null = loadSession();

export function currentToken(): string | null {
  return current?.accessToken ?? null;
}

export function setCurrentSession(session: Session | null): void {
  current = session;
  storeSession(session);
}

export function getCurrentSession(): Session | null {
  return current;
}

/** POST a GraphQL document without the urql client (sign-in and token refresh). */
export async function rawGraphQL<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  if (!response.ok) throw new Error(`The server answered ${response.status}`);
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors[0].message);
  if (!body.data) throw new Error("The server sent no data");
  return body.data;
}
