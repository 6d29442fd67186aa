import { Alert, Box, CircularProgress, Typography } from "@mui/material";
import type { CombinedError } from "urql";
import type { ReactNode } from "react";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <Box role="status" aria-live="polite" sx={{ display: "flex", gap: 2, alignItems: "center", p: 3 }}>
      <CircularProgress size={24} aria-hidden />
      <Typography>{label}</Typography>
    </Box>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <Box sx={{ p: 3, color: "text.secondary" }} data-testid="empty">
      <Typography>{children}</Typography>
    </Box>
  );
}

export function ErrorState({ error, message }: { error?: CombinedError | Error; message?: string }) {
  const text =
    message ??
    (error && "graphQLErrors" in error && error.graphQLErrors.length
      ? error.graphQLErrors.map((e) => e.message).join(" ")
      : error?.message ?? "Something went wrong.");
  return (
    <Alert severity="error" role="alert" sx={{ m: 2 }}>
      {text}
    </Alert>
  );
}

/** Loading, error or the content, for one query result. */
export function QueryState({
  fetching,
  error,
  hasData,
  children,
}: {
  fetching: boolean;
  error?: CombinedError;
  hasData: boolean;
  children: ReactNode;
}) {
  if (error && !hasData) return <ErrorState error={error} />;
  if (!hasData && fetching) return <Loading />;
  if (!hasData) return <Loading />;
  return <>{children}</>;
}
