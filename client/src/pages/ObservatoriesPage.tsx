import {
  Alert,
  Box,
  Button,
  Chip,
  IconButton,
  Link,
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
import { Link as RouterLink } from "react-router-dom";
import { useMutation, useQuery } from "urql";
import { HorizonPlot } from "../components/charts";
import { errorProps, toFieldErrors } from "../components/fieldErrors";
import type { FieldErrorMap } from "../components/fieldErrors";
import { Empty, ErrorState, Loading } from "../components/states";
import { humanize } from "../components/format";
import { nodes } from "../connections";
import { graphql } from "../gql";

const OBSERVATORIES = graphql(`
  query Observatories {
    observatories(first: 100) {
      edges {
        node {
          id
          name
          code
          organizationId
          dispatchEnabled
          maintenance
          safety
          apiKeyPrefix
          location { latitudeDeg longitudeDeg elevationM timezone }
          equipment { apertureMm focalLengthMm pixelScaleArcsec filters }
        }
      }
    }
    organizations(first: 100) { edges { node { id name shortName } } }
  }
`);

const REGISTER = graphql(`
  mutation RegisterObservatory($input: RegisterObservatoryInput!) {
    registerObservatory(input: $input) {
      __typename
      ... on RegisterObservatorySuccess { apiKey observatory { id name code } }
      ... on ValidationError { message fields { path message } }
      ... on Conflict { message }
      ... on Forbidden { message }
      ... on NotFound { message }
    }
  }
`);

export interface HorizonRow {
  azimuthDeg: string;
  altitudeDeg: string;
}

export function HorizonEditor({ rows, onChange, errors }: { rows: HorizonRow[]; onChange: (rows: HorizonRow[]) => void; errors: FieldErrorMap }) {
  const points = rows
    .map((r) => ({ azimuthDeg: Number(r.azimuthDeg), altitudeDeg: Number(r.altitudeDeg) }))
    .filter((p) => r0(p.azimuthDeg) && r0(p.altitudeDeg));
  return (
    <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { md: "1fr 2fr" } }}>
      <Box>
        {rows.map((row, i) => (
          <Box key={i} sx={{ display: "flex", gap: 1, mb: 1 }}>
            <TextField size="small" type="number" label={`Point ${i + 1} azimuth (°)`} value={row.azimuthDeg} onChange={(e) => onChange(rows.map((r, j) => (j === i ? { ...r, azimuthDeg: e.target.value } : r)))} {...errorProps(errors, `horizon.${i}.azimuthDeg`)} />
            <TextField size="small" type="number" label={`Point ${i + 1} altitude (°)`} value={row.altitudeDeg} onChange={(e) => onChange(rows.map((r, j) => (j === i ? { ...r, altitudeDeg: e.target.value } : r)))} {...errorProps(errors, `horizon.${i}.altitudeDeg`)} />
            <IconButton aria-label={`Remove horizon point ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
              ×
            </IconButton>
          </Box>
        ))}
        <Button size="small" onClick={() => onChange([...rows, { azimuthDeg: "", altitudeDeg: "" }])}>
          Add horizon point
        </Button>
      </Box>
      <HorizonPlot points={points} title="Horizon mask: altitude of obstructions by azimuth" />
    </Box>
  );
}

function r0(value: number): boolean {
  return Number.isFinite(value);
}

export function ObservatoriesPage() {
  const [result, refetch] = useQuery({ query: OBSERVATORIES });
  const [, register] = useMutation(REGISTER);
  const [form, setForm] = useState({
    organizationId: "", name: "", code: "", latitudeDeg: "", longitudeDeg: "", elevationM: "0", timezone: "UTC",
    apertureMm: "", focalLengthMm: "", pixelSizeUm: "", sensorWidthPx: "", sensorHeightPx: "", filters: "L,R,G,B,Ha", description: "",
  });
  const [horizon, setHorizon] = useState<HorizonRow[]>([]);
  const [errors, setErrors] = useState<FieldErrorMap>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ name: string; apiKey: string; id: string } | null>(null);

  const data = result.data;
  const observatories = nodes(data?.observatories);
  const organizations = nodes(data?.organizations);
  const organizationId = form.organizationId || organizations[0]?.id || "";
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));
  const opt = (v: string) => (v.trim() === "" ? null : Number(v));

  async function submit() {
    setErrors({});
    setFormError(null);
    const answer = await register({
      input: {
        organizationId,
        name: form.name,
        code: form.code,
        description: form.description,
        location: {
          latitudeDeg: Number(form.latitudeDeg),
          longitudeDeg: Number(form.longitudeDeg),
          elevationM: Number(form.elevationM || 0),
          timezone: form.timezone || "UTC",
        },
        horizon: horizon.map((h) => ({ azimuthDeg: Number(h.azimuthDeg), altitudeDeg: Number(h.altitudeDeg) })),
        equipment: {
          apertureMm: opt(form.apertureMm),
          focalLengthMm: opt(form.focalLengthMm),
          pixelSizeUm: opt(form.pixelSizeUm),
          sensorWidthPx: opt(form.sensorWidthPx),
          sensorHeightPx: opt(form.sensorHeightPx),
          filters: form.filters.split(",").map((f) => f.trim()).filter(Boolean),
        },
      },
    });
    const payload = answer.data?.registerObservatory;
    if (answer.error || !payload) setFormError(answer.error?.message ?? "The server gave no answer.");
    else if (payload.__typename === "RegisterObservatorySuccess") {
      setCreated({ name: payload.observatory.name, apiKey: payload.apiKey, id: payload.observatory.id });
      refetch({ requestPolicy: "network-only" });
    } else if (payload.__typename === "ValidationError") {
      setErrors(toFieldErrors(payload.fields));
      setFormError(payload.message);
    } else setFormError(payload.message);
  }

  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1">
        Observatories
      </Typography>
      {result.error && !data ? (
        <ErrorState error={result.error} />
      ) : !data ? (
        <Loading label="Loading observatories…" />
      ) : observatories.length === 0 ? (
        <Empty>No observatories yet: register the first one below.</Empty>
      ) : (
        <Table size="small" aria-label="Observatories">
          <TableHead>
            <TableRow>
              <TableCell>Name</TableCell>
              <TableCell>Code</TableCell>
              <TableCell>Location</TableCell>
              <TableCell>Equipment</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>Key</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {observatories.map((o) => (
              <TableRow key={o.id}>
                <TableCell>
                  <Link component={RouterLink} to={`/observatories/${o.id}`}>
                    {o.name}
                  </Link>
                </TableCell>
                <TableCell>{o.code}</TableCell>
                <TableCell>
                  {o.location.latitudeDeg.toFixed(2)}°, {o.location.longitudeDeg.toFixed(2)}° · {o.location.elevationM} m · {o.location.timezone}
                </TableCell>
                <TableCell>
                  {o.equipment.apertureMm ?? "?"} mm · f {o.equipment.focalLengthMm ?? "?"} mm · {o.equipment.pixelScaleArcsec?.toFixed(2) ?? "?"}″/px · {o.equipment.filters.join(" ")}
                </TableCell>
                <TableCell>
                  <Stack direction="row" spacing={1}>
                    <Chip size="small" label={humanize(o.safety)} color={o.safety === "SAFE" ? "success" : "warning"} />
                    <Chip size="small" label={o.dispatchEnabled ? "Dispatch on" : "Dispatch off"} />
                    {o.maintenance && <Chip size="small" label="Maintenance" color="warning" />}
                  </Stack>
                </TableCell>
                <TableCell>
                  <code>{o.apiKeyPrefix}…</code>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}

      <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="register-heading">
        <Typography variant="h6" component="h2" id="register-heading" gutterBottom>
          Register an observatory
        </Typography>
        {created && (
          <Alert severity="success" sx={{ mb: 2 }} data-testid="observatory-key">
            <strong>{created.name}</strong> is registered. Its API key is shown this once — copy it into the plugin now:
            <Box component="pre" sx={{ userSelect: "all", my: 1, fontSize: 14 }}>
              {created.apiKey}
            </Box>
            <Link component={RouterLink} to={`/observatories/${created.id}`}>Open {created.name}</Link>
          </Alert>
        )}
        {formError && (
          <Alert severity="error" role="alert" sx={{ mb: 2 }}>
            {formError}
          </Alert>
        )}
        <Box component="form" noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }} sx={{ display: "grid", gap: 2, gridTemplateColumns: { md: "repeat(4, 1fr)" } }}>
          <TextField select label="Organization" value={organizationId} onChange={set("organizationId")} {...errorProps(errors, "organizationId", data?.organizations.edges.length === 0 ? "Create an organization first (Administration)." : undefined)}>
            {organizations.map((o) => (
              <MenuItem key={o.id} value={o.id}>
                {o.name}
              </MenuItem>
            ))}
          </TextField>
          <TextField label="Observatory name" value={form.name} onChange={set("name")} {...errorProps(errors, "name")} />
          <TextField label="Code" value={form.code} onChange={set("code")} {...errorProps(errors, "code", "3–20 letters, digits, _ or -")} />
          <TextField label="Description" value={form.description} onChange={set("description")} {...errorProps(errors, "description")} />
          <TextField label="Latitude (°)" type="number" value={form.latitudeDeg} onChange={set("latitudeDeg")} {...errorProps(errors, "location.latitudeDeg")} />
          <TextField label="Longitude (°, east positive)" type="number" value={form.longitudeDeg} onChange={set("longitudeDeg")} {...errorProps(errors, "location.longitudeDeg")} />
          <TextField label="Elevation (m)" type="number" value={form.elevationM} onChange={set("elevationM")} {...errorProps(errors, "location.elevationM")} />
          <TextField label="Time zone" value={form.timezone} onChange={set("timezone")} {...errorProps(errors, "location.timezone", "e.g. Europe/Berlin")} />
          <TextField label="Aperture (mm)" type="number" value={form.apertureMm} onChange={set("apertureMm")} {...errorProps(errors, "equipment.apertureMm")} />
          <TextField label="Focal length (mm)" type="number" value={form.focalLengthMm} onChange={set("focalLengthMm")} {...errorProps(errors, "equipment.focalLengthMm")} />
          <TextField label="Pixel size (µm)" type="number" value={form.pixelSizeUm} onChange={set("pixelSizeUm")} {...errorProps(errors, "equipment.pixelSizeUm")} />
          <TextField label="Filters (comma separated)" value={form.filters} onChange={set("filters")} {...errorProps(errors, "equipment.filters")} />
          <TextField label="Sensor width (px)" type="number" value={form.sensorWidthPx} onChange={set("sensorWidthPx")} {...errorProps(errors, "equipment.sensorWidthPx")} />
          <TextField label="Sensor height (px)" type="number" value={form.sensorHeightPx} onChange={set("sensorHeightPx")} {...errorProps(errors, "equipment.sensorHeightPx")} />
          <Box sx={{ gridColumn: "1 / -1" }}>
            <Typography variant="subtitle1" component="h3">
              Horizon mask
            </Typography>
            <HorizonEditor rows={horizon} onChange={setHorizon} errors={errors} />
          </Box>
          <Box>
            <Button type="submit" variant="contained">
              Register observatory
            </Button>
          </Box>
        </Box>
      </Paper>
    </Stack>
  );
}
