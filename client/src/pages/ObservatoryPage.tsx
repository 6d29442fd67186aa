import {
  Alert,
  Box,
  Button,
  Chip,
  FormControlLabel,
  Link,
  Paper,
  Stack,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import { useState } from "react";
import { Link as RouterLink, useParams } from "react-router-dom";
import { useMutation, useQuery } from "urql";
import { AltitudeChart, HorizonPlot, Timeline } from "../components/charts";
import { errorProps, toFieldErrors } from "../components/fieldErrors";
import type { FieldErrorMap } from "../components/fieldErrors";
import { Empty, ErrorState, Loading } from "../components/states";
import { formatDateTime, formatNumber, humanize } from "../components/format";
import { nodes } from "../connections";
import { graphql } from "../gql";
import { useObservatoryEvents } from "../live";
import { MemberTable, ObservatorySettingsEditor } from "./ObservatorySettings";

const OBSERVATORY = graphql(`
  query ObservatoryDetail($id: ID!) {
    observatory(id: $id) {
      id
      name
      code
      description
      organizationId
      dispatchEnabled
      maintenance
      safety
      apiKeyPrefix
      createdAt
      liveStatus {
        connected
        lastSeenAt
        operationalState
        pluginVersion
        currentObservationId
        progress { phase percent framesCaptured message }
      }
      location { latitudeDeg longitudeDeg elevationM timezone }
      horizon { azimuthDeg altitudeDeg }
      equipment { apertureMm focalLengthMm pixelSizeUm sensorWidthPx sensorHeightPx filters binningModes readoutModes pixelScaleArcsec fieldOfViewArcmin }
      reservations(first: 100) { edges { node { id title start end status } } }
      members(first: 100) { edges { node { user { id email fullName } permissions } } }
    }
  }
`);

const NIGHT_PLAN = graphql(`
  query NightPlan($observatoryId: ID!, $night: Date!) {
    nightPlan(observatoryId: $observatoryId, night: $night) {
      start
      end
      times
      sunAltitudeDeg
      moonAltitudeDeg
      runs { start end priority timeCritical observation { id name } score { total } }
      curves { observationId altitudeDeg }
    }
  }
`);

const SET_DISPATCH = graphql(`
  mutation SetDispatch($id: ID!, $enabled: Boolean!) {
    setDispatchEnabled(input: { observatoryId: $id, enabled: $enabled }) {
      __typename
      ... on Observatory { id dispatchEnabled }
      ... on ValidationError { message }
      ... on Conflict { message }
      ... on Forbidden { message }
      ... on NotFound { message }
    }
  }
`);

const CREATE_RESERVATION = graphql(`
  mutation CreateReservation($input: CreateReservationInput!) {
    createReservation(input: $input) {
      __typename
      ... on Reservation { id title purpose contact start end status }
      ... on ValidationError { message fields { path message } }
      ... on Conflict { message }
      ... on Forbidden { message }
      ... on NotFound { message }
    }
  }
`);

const CANCEL_RESERVATION = graphql(`
  mutation CancelReservation($id: ID!, $reason: String!) {
    cancelReservation(input: { id: $id, reason: $reason }) {
      __typename
      ... on Reservation { id status }
      ... on ValidationError { message }
      ... on Conflict { message }
      ... on Forbidden { message }
      ... on NotFound { message }
    }
  }
`);

const COLOURS = ["#1e3a8a", "#6d28d9", "#047857", "#b45309", "#be123c", "#0e7490"];

export function ObservatoryPage() {
  const { id = "" } = useParams();
  const [result, refetch] = useQuery({ query: OBSERVATORY, variables: { id } });
  useObservatoryEvents((event) => {
    if (event.observatoryId === id) refetch({ requestPolicy: "network-only" });
  });
  const [night, setNight] = useState(() => new Date().toISOString().slice(0, 10));
  const [plan] = useQuery({ query: NIGHT_PLAN, variables: { observatoryId: id, night } });
  const [, setDispatch] = useMutation(SET_DISPATCH);
  const [, createReservation] = useMutation(CREATE_RESERVATION);
  const [, cancelReservation] = useMutation(CANCEL_RESERVATION);
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [reservation, setReservation] = useState({ title: "", purpose: "", contact: "", start: "", end: "" });
  const [errors, setErrors] = useState<FieldErrorMap>({});

  if (result.error && !result.data) return <ErrorState error={result.error} />;
  if (!result.data) return <Loading label="Loading the observatory…" />;
  const o = result.data.observatory;
  if (!o) return <ErrorState message="No such observatory, or you may not see it." />;

  async function toggleDispatch(enabled: boolean) {
    const answer = (await setDispatch({ id, enabled })).data?.setDispatchEnabled;
    if (answer?.__typename === "Observatory") setMessage({ kind: "success", text: enabled ? "Dispatch switched on." : "Dispatch switched off." });
    else setMessage({ kind: "error", text: answer?.message ?? "The server gave no answer." });
  }

  async function reserve() {
    setErrors({});
    const answer = (
      await createReservation({
        input: {
          observatoryId: id,
          title: reservation.title,
          purpose: reservation.purpose,
          contact: reservation.contact,
          start: reservation.start ? new Date(reservation.start + "Z").toISOString() : "",
          end: reservation.end ? new Date(reservation.end + "Z").toISOString() : "",
        },
      })
    ).data?.createReservation;
    if (answer?.__typename === "Reservation") {
      refetch({ requestPolicy: "network-only" });
      setMessage({ kind: "success", text: `Reserved: ${answer.title}.` });
    } else if (answer?.__typename === "ValidationError") {
      setErrors(toFieldErrors(answer.fields));
      setMessage({ kind: "error", text: answer.message });
    } else setMessage({ kind: "error", text: answer?.message ?? "The server gave no answer." });
  }

  const reservations = nodes(o.reservations);
  const p = plan.data?.nightPlan;
  const e = o.equipment;
  return (
    <Stack spacing={3}>
      <Box sx={{ display: "flex", gap: 2, alignItems: "center", flexWrap: "wrap" }}>
        <Typography variant="h4" component="h1">
          {o.name}
        </Typography>
        <Chip
          label={o.liveStatus?.connected ? "Connected" : "Offline"}
          color={o.liveStatus?.connected ? "success" : "default"}
          data-testid="observatory-link"
        />
        {o.liveStatus?.operationalState && <Chip color="info" label={humanize(o.liveStatus.operationalState.toUpperCase())} />}
        <Chip label={`Safety: ${humanize(o.safety)}`} color={o.safety === "SAFE" ? "success" : "warning"} />
        {o.maintenance && <Chip label="Maintenance" color="warning" />}
        <FormControlLabel
          control={<Switch checked={o.dispatchEnabled} onChange={(ev) => void toggleDispatch(ev.target.checked)} />}
          label="Dispatch enabled"
        />
      </Box>
      {message && <Alert severity={message.kind} role={message.kind === "error" ? "alert" : "status"}>{message.text}</Alert>}
      {o.liveStatus?.currentObservationId && (
        <Alert severity="info" role="status">
          Observing{" "}
          <Link component={RouterLink} to={`/observations/${o.liveStatus.currentObservationId}`}>
            observation {o.liveStatus.currentObservationId.slice(-6)}
          </Link>
          {o.liveStatus.progress
            ? ` · ${o.liveStatus.progress.phase} · ${o.liveStatus.progress.percent.toFixed(0)} % · ${o.liveStatus.progress.framesCaptured} frames · ${o.liveStatus.progress.message}`
            : ""}
        </Alert>
      )}
      <Typography color="text.secondary">
        {o.liveStatus?.pluginVersion ? `plugin ${o.liveStatus.pluginVersion} · last seen ${formatDateTime(o.liveStatus.lastSeenAt)} · ` : ""}
        {o.code} · {o.location.latitudeDeg.toFixed(3)}°, {o.location.longitudeDeg.toFixed(3)}° · {o.location.elevationM} m · {o.location.timezone} · key {o.apiKeyPrefix}… · registered {formatDateTime(o.createdAt)}
      </Typography>

      <Box sx={{ display: "grid", gap: 3, gridTemplateColumns: { xs: "minmax(0, 1fr)", lg: "minmax(0, 1fr) minmax(0, 2fr)" } }}>
        <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="equipment-heading">
          <Typography variant="h6" component="h2" id="equipment-heading">
            Equipment
          </Typography>
          <Table size="small" aria-label="Equipment">
            <TableBody>
              {(
                [
                  ["Aperture", `${e.apertureMm ?? "—"} mm`],
                  ["Focal length", `${e.focalLengthMm ?? "—"} mm`],
                  ["Pixel size", `${e.pixelSizeUm ?? "—"} µm`],
                  ["Sensor", `${e.sensorWidthPx ?? "?"} × ${e.sensorHeightPx ?? "?"} px`],
                  ["Pixel scale", `${formatNumber(e.pixelScaleArcsec)}″/px`],
                  ["Field of view", e.fieldOfViewArcmin ? `${e.fieldOfViewArcmin.map((v) => v.toFixed(1)).join("′ × ")}′` : "—"],
                  ["Filters", e.filters.join(", ") || "—"],
                  ["Binning", e.binningModes.join(", ")],
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
        <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="horizon-heading">
          <Typography variant="h6" component="h2" id="horizon-heading">
            Horizon mask
          </Typography>
          {o.horizon.length === 0 ? <Empty>No horizon mask: a flat horizon is assumed.</Empty> : <HorizonPlot points={o.horizon} title={`Horizon mask of ${o.name}`} />}
        </Paper>
      </Box>

      <ObservatorySettingsEditor
        key={JSON.stringify([o.horizon, o.equipment])}
        observatoryId={o.id}
        horizon={o.horizon}
        equipment={o.equipment}
        onSaved={() => refetch({ requestPolicy: "network-only" })}
      />

      <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="members-heading">
        <Typography variant="h6" component="h2" id="members-heading" gutterBottom>
          Members
        </Typography>
        <MemberTable members={nodes(o.members)} label={`Members of ${o.name}`} />
      </Paper>

      <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="plan-heading">
        <Box sx={{ display: "flex", gap: 2, alignItems: "center" }}>
          <Typography variant="h6" component="h2" id="plan-heading" sx={{ flexGrow: 1 }}>
            Night plan
          </Typography>
          <TextField size="small" type="date" label="Night of" InputLabelProps={{ shrink: true }} value={night} onChange={(ev) => setNight(ev.target.value)} />
        </Box>
        {plan.error && !plan.data ? (
          <ErrorState error={plan.error} />
        ) : !plan.data ? (
          <Loading label="Planning the night…" />
        ) : !p || p.runs.length === 0 ? (
          <Empty>Nothing would run this night.</Empty>
        ) : (
          <>
            <Timeline
              title={`Night plan of ${o.name} for ${night}`}
              start={p.start}
              end={p.end}
              spans={p.runs.map((r, i) => ({ label: r.observation.name, start: r.start, end: r.end, colour: COLOURS[i % COLOURS.length] }))}
            />
            <AltitudeChart
              title={`Altitude of the planned targets, night of ${night}`}
              times={p.times}
              sunAltitudeDeg={p.sunAltitudeDeg}
              series={[
                ...p.curves.map((c, i) => ({
                  label: p.runs.find((r) => r.observation.id === c.observationId)?.observation.name ?? c.observationId,
                  values: c.altitudeDeg,
                  colour: COLOURS[i % COLOURS.length],
                })),
                { label: "Moon", values: p.moonAltitudeDeg, colour: "#9e9e9e", dashed: true },
              ]}
            />
          </>
        )}
      </Paper>

      <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="reservations-heading">
        <Typography variant="h6" component="h2" id="reservations-heading" gutterBottom>
          Reservations
        </Typography>
        {reservations.length === 0 ? (
          <Empty>No current or coming reservations.</Empty>
        ) : (
          <Table size="small" aria-label="Reservations">
            <TableHead>
              <TableRow>
                <TableCell>Title</TableCell>
                <TableCell>From</TableCell>
                <TableCell>To</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Action</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {reservations.map((r) => (
                <TableRow key={r.id}>
                  <TableCell>{r.title}</TableCell>
                  <TableCell>{formatDateTime(r.start)}</TableCell>
                  <TableCell>{formatDateTime(r.end)}</TableCell>
                  <TableCell>{humanize(r.status)}</TableCell>
                  <TableCell>
                    {r.status !== "CANCELLED" && (
                      <Button size="small" onClick={async () => {
                        const answer = (await cancelReservation({ id: r.id, reason: "cancelled in the web app" })).data?.cancelReservation;
                        if (answer?.__typename === "Reservation") refetch({ requestPolicy: "network-only" });
                        else setMessage({ kind: "error", text: answer?.message ?? "The server gave no answer." });
                      }}>
                        Cancel reservation {r.title}
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        <Box component="form" noValidate onSubmit={(ev) => { ev.preventDefault(); void reserve(); }} sx={{ display: "grid", gap: 2, gridTemplateColumns: { md: "repeat(3, 1fr)" }, mt: 2 }} aria-label="New reservation">
          <TextField size="small" label="Title" value={reservation.title} onChange={(ev) => setReservation((r) => ({ ...r, title: ev.target.value }))} {...errorProps(errors, "title")} />
          <TextField size="small" label="Purpose" value={reservation.purpose} onChange={(ev) => setReservation((r) => ({ ...r, purpose: ev.target.value }))} {...errorProps(errors, "purpose")} />
          <TextField size="small" label="Contact" value={reservation.contact} onChange={(ev) => setReservation((r) => ({ ...r, contact: ev.target.value }))} {...errorProps(errors, "contact")} />
          <TextField size="small" type="datetime-local" label="Start (UTC)" InputLabelProps={{ shrink: true }} value={reservation.start} onChange={(ev) => setReservation((r) => ({ ...r, start: ev.target.value }))} {...errorProps(errors, "start")} />
          <TextField size="small" type="datetime-local" label="End (UTC)" InputLabelProps={{ shrink: true }} value={reservation.end} onChange={(ev) => setReservation((r) => ({ ...r, end: ev.target.value }))} {...errorProps(errors, "end")} />
          <Box>
            <Button type="submit" variant="outlined">
              Reserve
            </Button>
          </Box>
        </Box>
      </Paper>
    </Stack>
  );
}
