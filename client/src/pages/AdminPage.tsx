import {
  Alert,
  Box,
  Button,
  Checkbox,
  FormControlLabel,
  FormGroup,
  FormLabel,
  MenuItem,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import { useState } from "react";
import type { ReactNode } from "react";
import { useMutation, useQuery } from "urql";
import { useAuth } from "../auth";
import { errorProps, toFieldErrors } from "../components/fieldErrors";
import type { FieldErrorMap } from "../components/fieldErrors";
import { Empty, ErrorState, Loading } from "../components/states";
import { formatDateTime, humanize } from "../components/format";
import { nodes } from "../connections";
import { graphql } from "../gql";
import type { ApiKeyPermission, OrganizationPermission, OrganizationType, ProjectPermission, ProjectType } from "../gql/graphql";
import { rememberProject, useKnownProjects } from "../projects";
import { OrganizationMemberLists } from "./MemberLists";

const ORGANIZATIONS = graphql(`
  query AdminOrganizations {
    organizations(first: 100) { edges { node { id name shortName type description createdAt } } }
  }
`);

const API_KEYS = graphql(`
  query AdminApiKeys($organizationId: ID!) {
    apiKeys(organizationId: $organizationId, first: 100) {
      edges { node { id name prefix permissions createdAt lastUsedAt revokedAt } }
    }
  }
`);

const CREATE_ORGANIZATION = graphql(`
  mutation AdminCreateOrganization($input: CreateOrganizationInput!) {
    createOrganization(input: $input) {
      __typename
      ... on Organization { id name }
      ... on ValidationError { message fields { path message } }
      ... on Conflict { message }
      ... on Forbidden { message }
    }
  }
`);

const CREATE_PROJECT = graphql(`
  mutation AdminCreateProject($input: CreateProjectInput!) {
    createProject(input: $input) {
      __typename
      ... on Project { id name code organizationId }
      ... on ValidationError { message fields { path message } }
      ... on Conflict { message }
      ... on Forbidden { message }
      ... on NotFound { message }
    }
  }
`);

const CREATE_API_KEY = graphql(`
  mutation AdminCreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      __typename
      ... on ApiKeyCreated { secret apiKey { id prefix } }
      ... on ValidationError { message fields { path message } }
      ... on Forbidden { message }
      ... on NotFound { message }
    }
  }
`);

const REVOKE_API_KEY = graphql(`
  mutation AdminRevokeApiKey($id: ID!) {
    revokeApiKey(input: { id: $id }) {
      __typename
      ... on ApiKey { id revokedAt }
      ... on Forbidden { message }
      ... on NotFound { message }
    }
  }
`);

const CREATE_USER = graphql(`
  mutation AdminCreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      __typename
      ... on User { id email }
      ... on ValidationError { message fields { path message } }
      ... on Conflict { message }
      ... on Forbidden { message }
      ... on NotFound { message }
    }
  }
`);

const SET_ORG_MEMBER = graphql(`
  mutation AdminSetOrganizationMember($input: SetOrganizationMemberInput!) {
    setOrganizationMember(input: $input) {
      __typename
      ... on Organization { id }
      ... on ValidationError { message fields { path message } }
      ... on Conflict { message }
      ... on Forbidden { message }
      ... on NotFound { message }
    }
  }
`);

const SET_PROJECT_MEMBER = graphql(`
  mutation AdminSetProjectMember($input: SetProjectMemberInput!) {
    setProjectMember(input: $input) {
      __typename
      ... on Project { id }
      ... on ValidationError { message fields { path message } }
      ... on Conflict { message }
      ... on Forbidden { message }
      ... on NotFound { message }
    }
  }
`);

const ORG_TYPES: OrganizationType[] = ["UNIVERSITY", "COLLEGE", "HIGH_SCHOOL", "RESEARCH_INSTITUTE", "OBSERVATORY", "COMPANY", "NONPROFIT", "DEPARTMENT", "TEAM", "COURSE", "SPONSORED", "OTHER"];
const PROJECT_TYPES: ProjectType[] = ["RESEARCH", "EDUCATION", "OUTREACH", "PERSONAL", "TESTING"];
const KEY_PERMISSIONS: ApiKeyPermission[] = ["READ", "WRITE", "MANAGE_MEMBERS", "MANAGE_OBSERVATORIES", "MANAGE_PROJECTS", "MANAGE_BILLING", "MANAGE_STORAGE"];
const ORG_PERMISSIONS: OrganizationPermission[] = ["MANAGE_MEMBERS", "MANAGE_OBSERVATORIES", "MANAGE_PROJECTS", "MANAGE_BILLING", "MANAGE_STORAGE"];
const PROJECT_PERMISSIONS: ProjectPermission[] = ["VIEW", "USE", "EDIT", "MANAGE_MEMBERS", "DELETE", "MANAGE_STORAGE"];

type Notice = { kind: "success" | "error"; text: ReactNode } | null;

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby={id}>
      <Typography variant="h6" component="h2" id={id} gutterBottom>
        {title}
      </Typography>
      {children}
    </Paper>
  );
}

function Permissions<T extends string>({ legend, all, value, onChange }: { legend: string; all: T[]; value: T[]; onChange: (v: T[]) => void }) {
  return (
    <Box component="fieldset" sx={{ border: 0, p: 0, m: 0 }}>
      <FormLabel component="legend">{legend}</FormLabel>
      <FormGroup row>
        {all.map((p) => (
          <FormControlLabel
            key={p}
            label={humanize(p)}
            control={<Checkbox checked={value.includes(p)} onChange={(e) => onChange(e.target.checked ? [...value, p] : value.filter((x) => x !== p))} />}
          />
        ))}
      </FormGroup>
    </Box>
  );
}

export function AdminPage() {
  const { session } = useAuth();
  const [orgs, refetchOrgs] = useQuery({ query: ORGANIZATIONS });
  const organizations = nodes(orgs.data?.organizations);
  const { projects } = useKnownProjects();
  const [selectedOrg, setSelectedOrg] = useState("");
  const organizationId = selectedOrg || organizations[0]?.id || "";
  const [keys, refetchKeys] = useQuery({ query: API_KEYS, variables: { organizationId }, pause: !organizationId });

  const [, createOrganization] = useMutation(CREATE_ORGANIZATION);
  const [, createProject] = useMutation(CREATE_PROJECT);
  const [, createApiKey] = useMutation(CREATE_API_KEY);
  const [, revokeApiKey] = useMutation(REVOKE_API_KEY);
  const [, createUser] = useMutation(CREATE_USER);
  const [, setOrgMember] = useMutation(SET_ORG_MEMBER);
  const [, setProjectMember] = useMutation(SET_PROJECT_MEMBER);

  const [org, setOrg] = useState({ name: "", shortName: "", type: "OTHER" as OrganizationType, description: "" });
  const [orgErrors, setOrgErrors] = useState<FieldErrorMap>({});
  const [project, setProject] = useState({ name: "", code: "", type: "RESEARCH" as ProjectType, defaultPriority: "5", description: "" });
  const [projectErrors, setProjectErrors] = useState<FieldErrorMap>({});
  const [key, setKey] = useState<{ name: string; permissions: ApiKeyPermission[] }>({ name: "", permissions: ["READ"] });
  const [keyErrors, setKeyErrors] = useState<FieldErrorMap>({});
  const [secret, setSecret] = useState<string | null>(null);
  const [user, setUser] = useState({ email: "", password: "", fullName: "" });
  const [userErrors, setUserErrors] = useState<FieldErrorMap>({});
  const [member, setMember] = useState<{ userId: string; org: OrganizationPermission[]; projectId: string; project: ProjectPermission[] }>({ userId: "", org: [], projectId: "", project: ["VIEW"] });
  const [memberErrors, setMemberErrors] = useState<FieldErrorMap>({});
  const [membersVersion, setMembersVersion] = useState(0);
  const [notice, setNotice] = useState<Notice>(null);

  type Payload = { __typename?: string; message?: string; fields?: { path: string[]; message: string }[] } | undefined;
  function handle(payload: Payload, ok: string, setErrors: (e: FieldErrorMap) => void, success: string): boolean {
    setErrors({});
    if (!payload) {
      setNotice({ kind: "error", text: "The server gave no answer." });
      return false;
    }
    if (payload.__typename === ok) {
      setNotice({ kind: "success", text: success });
      return true;
    }
    if (payload.__typename === "ValidationError") setErrors(toFieldErrors(payload.fields));
    setNotice({ kind: "error", text: payload.message ?? "Refused." });
    return false;
  }

  if (orgs.error && !orgs.data) return <ErrorState error={orgs.error} />;
  if (!orgs.data) return <Loading label="Loading organizations…" />;

  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1">
        Administration
      </Typography>
      {notice && <Alert severity={notice.kind} role={notice.kind === "error" ? "alert" : "status"}>{notice.text}</Alert>}

      <Section id="orgs-heading" title="Organizations">
        {organizations.length === 0 ? (
          <Empty>You belong to no organization yet: create one.</Empty>
        ) : (
          <Table size="small" aria-label="Organizations">
            <TableHead>
              <TableRow>
                <TableCell>Name</TableCell>
                <TableCell>Short name</TableCell>
                <TableCell>Type</TableCell>
                <TableCell>Created</TableCell>
                <TableCell>ID</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {organizations.map((o) => (
                <TableRow key={o.id} selected={o.id === organizationId}>
                  <TableCell>{o.name}</TableCell>
                  <TableCell>{o.shortName}</TableCell>
                  <TableCell>{humanize(o.type)}</TableCell>
                  <TableCell>{formatDateTime(o.createdAt)}</TableCell>
                  <TableCell><code>{o.id}</code></TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        <Box component="form" noValidate aria-label="New organization" sx={{ display: "grid", gap: 2, gridTemplateColumns: { md: "repeat(4, 1fr) auto" }, alignItems: "start", mt: 2 }}
          onSubmit={async (e) => {
            e.preventDefault();
            const payload = (await createOrganization({ input: org })).data?.createOrganization;
            if (handle(payload, "Organization", setOrgErrors, `Organization ${org.name} created.`)) {
              setOrg({ name: "", shortName: "", type: "OTHER", description: "" });
              refetchOrgs({ requestPolicy: "network-only" });
            }
          }}>
          <TextField size="small" label="Organization name" value={org.name} onChange={(e) => setOrg((o) => ({ ...o, name: e.target.value }))} {...errorProps(orgErrors, "name")} />
          <TextField size="small" label="Short name" value={org.shortName} onChange={(e) => setOrg((o) => ({ ...o, shortName: e.target.value }))} {...errorProps(orgErrors, "shortName")} />
          <TextField size="small" select label="Organization type" value={org.type} onChange={(e) => setOrg((o) => ({ ...o, type: e.target.value as OrganizationType }))}>
            {ORG_TYPES.map((t) => <MenuItem key={t} value={t}>{humanize(t)}</MenuItem>)}
          </TextField>
          <TextField size="small" label="Organization description" value={org.description} onChange={(e) => setOrg((o) => ({ ...o, description: e.target.value }))} {...errorProps(orgErrors, "description")} />
          <Button type="submit" variant="contained">Create organization</Button>
        </Box>
      </Section>

      <TextField select label="Working in organization" value={organizationId} onChange={(e) => setSelectedOrg(e.target.value)} sx={{ maxWidth: 400 }} disabled={!organizations.length}>
        {organizations.map((o) => <MenuItem key={o.id} value={o.id}>{o.name}</MenuItem>)}
      </TextField>

      <Section id="projects-heading" title="Projects">
        {projects.filter((p) => p.organizationId === organizationId).length === 0 ? (
          <Empty>No project known in this organization.</Empty>
        ) : (
          <Table size="small" aria-label="Projects">
            <TableHead><TableRow><TableCell>Code</TableCell><TableCell>Name</TableCell><TableCell>ID</TableCell></TableRow></TableHead>
            <TableBody>
              {projects.filter((p) => p.organizationId === organizationId).map((p) => (
                <TableRow key={p.id}><TableCell>{p.code}</TableCell><TableCell>{p.name}</TableCell><TableCell><code>{p.id}</code></TableCell></TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        <Box component="form" noValidate aria-label="New project" sx={{ display: "grid", gap: 2, gridTemplateColumns: { md: "repeat(4, 1fr) auto" }, alignItems: "start", mt: 2 }}
          onSubmit={async (e) => {
            e.preventDefault();
            const payload = (await createProject({ input: { organizationId, name: project.name, code: project.code, type: project.type, defaultPriority: Number(project.defaultPriority), description: project.description } })).data?.createProject;
            if (handle(payload, "Project", setProjectErrors, `Project ${project.code} created.`) && payload?.__typename === "Project") {
              rememberProject(payload);
              setProject({ name: "", code: "", type: "RESEARCH", defaultPriority: "5", description: "" });
            }
          }}>
          <TextField size="small" label="Project name" value={project.name} onChange={(e) => setProject((p) => ({ ...p, name: e.target.value }))} {...errorProps(projectErrors, "name")} />
          <TextField size="small" label="Project code" value={project.code} onChange={(e) => setProject((p) => ({ ...p, code: e.target.value }))} {...errorProps(projectErrors, "code", "uppercase letters, digits, hyphens")} />
          <TextField size="small" select label="Project type" value={project.type} onChange={(e) => setProject((p) => ({ ...p, type: e.target.value as ProjectType }))}>
            {PROJECT_TYPES.map((t) => <MenuItem key={t} value={t}>{humanize(t)}</MenuItem>)}
          </TextField>
          <TextField size="small" type="number" label="Default priority" value={project.defaultPriority} onChange={(e) => setProject((p) => ({ ...p, defaultPriority: e.target.value }))} {...errorProps(projectErrors, "defaultPriority")} />
          <Button type="submit" variant="contained" disabled={!organizationId}>Create project</Button>
        </Box>
      </Section>

      <Section id="members-heading" title="Members">
        <Typography variant="body2" color="text.secondary" gutterBottom>
          Members are named by user ID (the API has no user search yet); a site administrator can create an account below and gets its ID.
        </Typography>
        <OrganizationMemberLists organizationId={organizationId} version={membersVersion} />
        <Box component="form" noValidate aria-label="Set member permissions" sx={{ display: "grid", gap: 2 }}
          onSubmit={async (e) => {
            e.preventDefault();
            const payload = (await setOrgMember({ input: { organizationId, userId: member.userId, permissions: member.org } })).data?.setOrganizationMember;
            if (handle(payload, "Organization", setMemberErrors, "Organization member saved.") && member.projectId) {
              const second = (await setProjectMember({ input: { projectId: member.projectId, userId: member.userId, permissions: member.project } })).data?.setProjectMember;
              handle(second, "Project", setMemberErrors, "Organization and project member saved.");
            }
            setMembersVersion((v) => v + 1);
          }}>
          <TextField size="small" label="User ID" value={member.userId} onChange={(e) => setMember((m) => ({ ...m, userId: e.target.value }))} {...errorProps(memberErrors, "userId")} sx={{ maxWidth: 400 }} />
          <Permissions legend="Organization permissions" all={ORG_PERMISSIONS} value={member.org} onChange={(v) => setMember((m) => ({ ...m, org: v }))} />
          <TextField size="small" select label="Also add to project" value={member.projectId} onChange={(e) => setMember((m) => ({ ...m, projectId: e.target.value }))} sx={{ maxWidth: 400 }}>
            <MenuItem value="">No project</MenuItem>
            {projects.filter((p) => p.organizationId === organizationId).map((p) => <MenuItem key={p.id} value={p.id}>{p.code}</MenuItem>)}
          </TextField>
          {member.projectId && <Permissions legend="Project permissions" all={PROJECT_PERMISSIONS} value={member.project} onChange={(v) => setMember((m) => ({ ...m, project: v }))} />}
          <Box><Button type="submit" variant="outlined" disabled={!organizationId}>Save member</Button></Box>
        </Box>
      </Section>

      <Section id="keys-heading" title="API keys">
        {secret && (
          <Alert severity="success" data-testid="api-key-secret" sx={{ mb: 2 }}>
            The key is shown this once — copy it now:
            <Box component="pre" sx={{ userSelect: "all", my: 1 }}>{secret}</Box>
            <Button size="small" onClick={() => setSecret(null)}>I have copied it</Button>
          </Alert>
        )}
        {!organizationId ? (
          <Empty>Create an organization first.</Empty>
        ) : keys.error && !keys.data ? (
          <ErrorState error={keys.error} />
        ) : !keys.data ? (
          <Loading label="Loading API keys…" />
        ) : keys.data.apiKeys.edges.length === 0 ? (
          <Empty>No API keys in this organization.</Empty>
        ) : (
          <Table size="small" aria-label="API keys">
            <TableHead><TableRow><TableCell>Name</TableCell><TableCell>Prefix</TableCell><TableCell>Permissions</TableCell><TableCell>Last used</TableCell><TableCell>Status</TableCell></TableRow></TableHead>
            <TableBody>
              {nodes(keys.data.apiKeys).map((k) => (
                <TableRow key={k.id}>
                  <TableCell>{k.name}</TableCell>
                  <TableCell><code>{k.prefix}</code></TableCell>
                  <TableCell>{k.permissions.map(humanize).join(", ")}</TableCell>
                  <TableCell>{formatDateTime(k.lastUsedAt)}</TableCell>
                  <TableCell>
                    {k.revokedAt ? `revoked ${formatDateTime(k.revokedAt)}` : (
                      <Button size="small" color="error" onClick={async () => {
                        const payload = (await revokeApiKey({ id: k.id })).data?.revokeApiKey;
                        if (handle(payload, "ApiKey", () => undefined, `Key ${k.name} revoked.`)) refetchKeys({ requestPolicy: "network-only" });
                      }}>Revoke {k.name}</Button>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        <Box component="form" noValidate aria-label="New API key" sx={{ display: "grid", gap: 2, mt: 2 }}
          onSubmit={async (e) => {
            e.preventDefault();
            const payload = (await createApiKey({ input: { organizationId, name: key.name, permissions: key.permissions } })).data?.createApiKey;
            if (handle(payload, "ApiKeyCreated", setKeyErrors, `Key ${key.name} created.`) && payload?.__typename === "ApiKeyCreated") {
              setSecret(payload.secret);
              setKey({ name: "", permissions: ["READ"] });
              refetchKeys({ requestPolicy: "network-only" });
            }
          }}>
          <TextField size="small" label="Key name" value={key.name} onChange={(e) => setKey((k) => ({ ...k, name: e.target.value }))} {...errorProps(keyErrors, "name")} sx={{ maxWidth: 400 }} />
          <Permissions legend="Key permissions" all={KEY_PERMISSIONS} value={key.permissions} onChange={(v) => setKey((k) => ({ ...k, permissions: v }))} />
          <Box><Button type="submit" variant="outlined" disabled={!organizationId}>Create API key</Button></Box>
        </Box>
      </Section>

      {session?.user.isSiteAdmin && (
        <Section id="users-heading" title="Accounts (site administrators)">
          <Box component="form" noValidate aria-label="New account" sx={{ display: "grid", gap: 2, gridTemplateColumns: { md: "repeat(3, 1fr) auto" }, alignItems: "start" }}
            onSubmit={async (e) => {
              e.preventDefault();
              const payload = (await createUser({ input: user })).data?.createUser;
              if (handle(payload, "User", setUserErrors, "") && payload?.__typename === "User") {
                setNotice({ kind: "success", text: <>Account {payload.email} created, user ID <code>{payload.id}</code>.</> });
                setMember((m) => ({ ...m, userId: payload.id }));
                setUser({ email: "", password: "", fullName: "" });
              }
            }}>
            <TextField size="small" label="New user email" type="email" value={user.email} onChange={(e) => setUser((u) => ({ ...u, email: e.target.value }))} {...errorProps(userErrors, "email")} />
            <TextField size="small" label="Initial password" type="password" autoComplete="new-password" value={user.password} onChange={(e) => setUser((u) => ({ ...u, password: e.target.value }))} {...errorProps(userErrors, "password", "at least 8 characters")} />
            <TextField size="small" label="Full name" value={user.fullName} onChange={(e) => setUser((u) => ({ ...u, fullName: e.target.value }))} {...errorProps(userErrors, "fullName")} />
            <Button type="submit" variant="outlined">Create account</Button>
          </Box>
        </Section>
      )}
    </Stack>
  );
}
