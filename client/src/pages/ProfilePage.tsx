import { Alert, Box, Button, Paper, Stack, Table, TableBody, TableCell, TableRow, TextField, Typography } from "@mui/material";
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { useAuth } from "../auth";
import { errorProps, toFieldErrors } from "../components/fieldErrors";
import type { FieldErrorMap } from "../components/fieldErrors";
import { ErrorState, Loading } from "../components/states";
import { formatDateTime } from "../components/format";
import { graphql } from "../gql";

const ME = graphql(`
  query Me {
    me { id email fullName isSiteAdmin createdAt }
    serverInfo { name version environment }
  }
`);

const CHANGE_PASSWORD = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      __typename
      ... on PasswordChanged { accessToken expiresIn refreshToken user { id email fullName isSiteAdmin } }
      ... on InvalidCredentials { message }
      ... on TooManyAttempts { message }
      ... on ValidationError { message fields { path message } }
    }
  }
`);

export function ProfilePage() {
  const { replaceTokens } = useAuth();
  const [me] = useQuery({ query: ME });
  const [, changePassword] = useMutation(CHANGE_PASSWORD);
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [errors, setErrors] = useState<FieldErrorMap>({});
  const [notice, setNotice] = useState<{ kind: "success" | "error"; text: string } | null>(null);

  if (me.error && !me.data) return <ErrorState error={me.error} />;
  if (!me.data) return <Loading label="Loading your profile…" />;
  const user = me.data.me;
  if (!user) return <ErrorState message="You are not signed in." />;

  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1">
        Profile
      </Typography>
      <Paper variant="outlined" sx={{ p: 2 }}>
        <Table size="small" aria-label="Your account">
          <TableBody>
            {(
              [
                ["Email", user.email],
                ["Name", user.fullName || "—"],
                ["Site administrator", user.isSiteAdmin ? "yes" : "no"],
                ["Member since", formatDateTime(user.createdAt)],
                ["User ID", user.id],
                ["Server", `${me.data.serverInfo.name} ${me.data.serverInfo.version} (${me.data.serverInfo.environment})`],
              ] as const
            ).map(([k, v]) => (
              <TableRow key={k}>
                <TableCell component="th" scope="row">{k}</TableCell>
                <TableCell>{v}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Paper>
      <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="password-heading">
        <Typography variant="h6" component="h2" id="password-heading" gutterBottom>
          Change password
        </Typography>
        {notice && <Alert severity={notice.kind} role={notice.kind === "error" ? "alert" : "status"} sx={{ mb: 2 }}>{notice.text}</Alert>}
        <Box component="form" noValidate sx={{ display: "grid", gap: 2, maxWidth: 400 }}
          onSubmit={async (e) => {
            e.preventDefault();
            setErrors({});
            const payload = (await changePassword({ input: { currentPassword: current, newPassword: next } })).data?.changePassword;
            if (!payload) setNotice({ kind: "error", text: "The server gave no answer." });
            else if (payload.__typename === "PasswordChanged") {
              replaceTokens(payload);
              setNotice({ kind: "success", text: "Password changed; your other sessions have ended." });
              setCurrent("");
              setNext("");
            } else {
              if (payload.__typename === "ValidationError") setErrors(toFieldErrors(payload.fields));
              setNotice({ kind: "error", text: payload.message });
            }
          }}>
          <TextField type="password" label="Current password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} {...errorProps(errors, "currentPassword")} />
          <TextField type="password" label="New password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} {...errorProps(errors, "newPassword", "at least 8 characters")} />
          <Box><Button type="submit" variant="contained">Change password</Button></Box>
        </Box>
      </Paper>
    </Stack>
  );
}
