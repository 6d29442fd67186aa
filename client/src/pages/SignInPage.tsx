import { Alert, Box, Button, Paper, TextField, Typography } from "@mui/material";
import { useState } from "react";
import type { FormEvent } from "react";
import { useAuth } from "../auth";

export function SignInPage() {
  const { signIn } = useAuth();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setError(await signIn(email, password));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : "Could not reach the server.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <Box component="main" sx={{ display: "flex", justifyContent: "center", mt: 10, px: 2 }}>
      <Paper component="form" onSubmit={submit} sx={{ p: 4, width: 400, display: "grid", gap: 2 }} noValidate>
        <Typography variant="h5" component="h1">
          Sign in to Science Scheduler
        </Typography>
        {error && (
          <Alert severity="error" role="alert">
            {error}
          </Alert>
        )}
        <TextField
          label="Email"
          type="email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
          autoFocus
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
        <Button type="submit" variant="contained" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </Button>
      </Paper>
    </Box>
  );
}
