import {
  Alert,
  Box,
  Button,
  Chip,
  LinearProgress,
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
import { useMemo, useState } from "react";
import { Link as RouterLink, useNavigate, useParams } from "react-router-dom";
import { useMutation, useQuery } from "urql";
import type { UseQueryState } from "urql";
import type { WhyNotNowQuery } from "../gql/graphql";
import { AltitudeChart } from "../components/charts";
import { Empty, ErrorState, Loading } from "../components/states";
import { StateChip } from "../components/StateChip";
import { formatDateTime, formatNumber, humanize } from "../components/format";
import { nodes } from "../connections";
import { graphql } from "../gql";
import { useObservationEvents } from "../live";
import { FrameStrip } from "./DashboardPage";

const OBSERVATION = graphql(`
  query ObservationDetail($id: ID!) {
    observation(id: $id) {
      id
      name
      type
      priority
      state
      notes
      createdAt
      updatedAt
      project { id name code organizationId }
      targets { name raDeg decDeg resolvedBy exposures { filter exposureS count binning accepted } }
      constraints { minAltitudeDeg maxAirmass moonSeparationDeg moonSeparationWidthDays maxMoonIllumination darkness windows { start end } }
      thresholds { maxFwhmArcsec minStars maxEccentricity minSnr }
      history { at actor fromState toState reason }
      eligibleObservatories(first: 100) { edges { node { id name code } } }
    }
  }
`);

const EXPLANATION = graphql(`
  query WhyNotNow($id: ID!) {
    schedulingExplanation(observationId: $id) {
      evaluatedAt
      state
      observatories {
        observatory { id name code }
        gate
        observableNow
        fitsNow
        nextEligibleAt
        constraints { constraint passed value limit unit }
        score { total }
      }
    }
  }
`);

const VISIBILITY = graphql(`
  query TonightVisibility($ra: Float!, $dec: Float!, $observatoryId: ID!, $start: DateTime!, $end: DateTime!) {
    targetVisibility(ra: $ra, dec: $dec, observatoryId: $observatoryId, start: $start, end: $end, stepMinutes: 10) {
      times
      altitudeDeg
      moonAltitudeDeg
      sunAltitudeDeg
    }
  }
`);

const FIRST_OBSERVATORY = graphql(`
  query FirstObservatory {
    observatories(first: 1) { edges { node { id name code } } }
  }
`);

const SUBMIT = graphql(`
  mutation SubmitObservation($id: ID!) {
    submitObservation(input: { id: $id }) {
      __typename
      ... on Observation { id state }
      ... on ValidationError { message fields { path message } }
      ... on Conflict { message }
      ... on Forbidden { message }
      ... on NotFound { message }
    }
  }
`);

const CANCEL = graphql(`
  mutation CancelObservation($id: ID!, $reason: String!) {
    cancelObservation(input: { id: $id, reason: $reason }) {
      __typename
      ... on Observation { id state }
      ... on ValidationError { message }
      ... on Conflict { message }
      ... on Forbidden { message }
      ... on NotFound { message }
    }
  }
`);

const RESUBMIT = graphql(`
  mutation ResubmitObservation($id: ID!) {
    resubmitObservation(input: { id: $id }) {
      __typename
      ... on Observation { id }
      ... on ValidationError { message }
      ... on Conflict { message }
      ... on Forbidden { message }
      ... on NotFound { message }
    }
  }
`);

const SAVE_TEMPLATE = graphql(`
  mutation SaveTemplate($id: ID!, $name: String!) {
    saveObservationTemplate(input: { observationId: $id, name: $name }) {
      __typename
      ... on ObservationTemplate { id name }
      ... on ValidationError { message fields { path message } }
      ... on Conflict { message }
      ... on Forbidden { message }
      ... on NotFound { message }
    }
  }
`);

const FINISHED = new Set(["COMPLETED", "PARTIALLY_COMPLETED", "FAILED", "CANCELLED", "ABORTED", "EXPIRED"]);

export function ObservationPage() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const [result, refetch] = useQuery({ query: OBSERVATION, variables: { id } });
  const [why, refetchWhy] = useQuery({ query: EXPLANATION, variables: { id } });
  const [liveState, setLiveState] = useState<string | null>(null);
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [templateName, setTemplateName] = useState("");
  const [, submit] = useMutation(SUBMIT);
  const [, cancel] = useMutation(CANCEL);
  const [, resubmit] = useMutation(RESUBMIT);
  const [, saveTemplate] = useMutation(SAVE_TEMPLATE);

  useObservationEvents((event) => {
    if (event.observationId !== id) return;
    setLiveState(event.state);
    setMessage(null);
    refetch({ requestPolicy: "network-only" });
    refetchWhy({ requestPolicy: "network-only" });
  });

  const observation = result.data?.observation;
  if (result.error && !result.data) return <ErrorState error={result.error} />;
  if (!result.data) return <Loading label="Loading the observation…" />;
  if (!observation) return <ErrorState message="No such observation, or you may not see it." />;

  const serverState = observation.state;
  const history = observation.history;
  const lastHistory = history[history.length - 1]?.toState;
  // The event may arrive before the refetch answers: show the newest.
  const state = liveState && lastHistory !== liveState && serverState !== liveState ? liveState : serverState;

  async function act(kind: "submit" | "cancel" | "resubmit") {
    setMessage(null);
    const answer =
      kind === "submit"
        ? (await submit({ id })).data?.submitObservation
        : kind === "cancel"
          ? (await cancel({ id, reason: "cancelled in the web app" })).data?.cancelObservation
          : (await resubmit({ id })).data?.resubmitObservation;
    if (!answer) setMessage({ kind: "error", text: "The server gave no answer." });
    else if (answer.__typename === "Observation") {
      if (kind === "resubmit") navigate(`/observations/${answer.id}`);
      else setMessage({ kind: "success", text: kind === "submit" ? "Submitted." : "Cancelled." });
    } else setMessage({ kind: "error", text: answer.message });
  }

  async function template() {
    const answer = (await saveTemplate({ id, name: templateName })).data?.saveObservationTemplate;
    if (answer?.__typename === "ObservationTemplate") setMessage({ kind: "success", text: `Template “${answer.name}” saved.` });
    else setMessage({ kind: "error", text: answer?.message ?? "The server gave no answer." });
  }

  return (
    <Stack spacing={3}>
      <Box sx={{ display: "flex", gap: 2, alignItems: "center", flexWrap: "wrap" }}>
        <Typography variant="h4" component="h1">
          {observation.name}
        </Typography>
        <Box aria-live="polite" data-testid="observation-state">
          <StateChip state={state} testId="state-chip" />
        </Box>
        <Box sx={{ flexGrow: 1 }} />
        {state === "DRAFT" && (
          <Button variant="outlined" component={RouterLink} to={`/observations/${id}/edit`}>
            Edit
          </Button>
        )}
        {state === "DRAFT" && (
          <Button variant="contained" onClick={() => void act("submit")}>
            Submit
          </Button>
        )}
        {!FINISHED.has(state) && (
          <Button color="error" variant="outlined" onClick={() => void act("cancel")}>
            Cancel observation
          </Button>
        )}
        {FINISHED.has(state) && (
          <Button variant="outlined" onClick={() => void act("resubmit")}>
            Resubmit as new
          </Button>
        )}
        <Button component={RouterLink} to={`/observations/${id}/copy`}>
          Copy and edit
        </Button>
      </Box>
      {message && (
        <Alert severity={message.kind} role={message.kind === "error" ? "alert" : "status"}>
          {message.text}
        </Alert>
      )}
      <Typography color="text.secondary">
        {humanize(observation.type)} · priority {observation.priority} · project{" "}
        {observation.project ? `${observation.project.code} (${observation.project.name})` : "—"} · created{" "}
        {formatDateTime(observation.createdAt)}
        {observation.eligibleObservatories.edges.length
          ? ` · only at ${nodes(observation.eligibleObservatories).map((o) => o.code).join(", ")}`
          : " · any observatory that fits"}
      </Typography>

      <Box sx={{ display: "grid", gap: 3, gridTemplateColumns: { xs: "minmax(0, 1fr)", lg: "minmax(0, 1fr) minmax(0, 1fr)" } }}>
        <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="progress-heading">
          <Typography variant="h6" component="h2" id="progress-heading">
            Progress
          </Typography>
          {observation.targets.map((target) => (
            <Box key={target.name} sx={{ mt: 1 }}>
              <Typography variant="subtitle2" component="h3">
                {target.name}{" "}
                <Typography component="span" variant="body2" color="text.secondary">
                  RA {formatNumber(target.raDeg, 3)}° Dec {formatNumber(target.decDeg, 3)}° ({target.resolvedBy ?? "coordinates"})
                </Typography>
              </Typography>
              {target.exposures.map((e, i) => (
                <Box key={i} sx={{ display: "flex", alignItems: "center", gap: 2, my: 0.5 }}>
                  <Typography variant="body2" sx={{ width: 190 }}>
                    {e.filter} · {e.exposureS} s · bin {e.binning}
                  </Typography>
                  <LinearProgress
                    variant="determinate"
                    value={Math.min(100, (100 * e.accepted) / Math.max(1, e.count))}
                    sx={{ flexGrow: 1, height: 8 }}
                    aria-label={`${target.name} ${e.filter} progress`}
                  />
                  <Typography variant="body2">
                    {e.accepted} / {e.count}
                  </Typography>
                </Box>
              ))}
            </Box>
          ))}
        </Paper>

        <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="history-heading">
          <Typography variant="h6" component="h2" id="history-heading">
            State timeline
          </Typography>
          {history.length === 0 ? (
            <Empty>No state changes yet.</Empty>
          ) : (
            <Box component="ol" sx={{ pl: 2, m: 0 }} data-testid="history">
              {history.map((h, i) => (
                <Box component="li" key={i} sx={{ my: 1 }}>
                  <Typography variant="body2">
                    <strong>{formatDateTime(h.at)}</strong> · {h.fromState ? humanize(h.fromState) : "new"} →{" "}
                    <strong>{humanize(h.toState)}</strong> · {h.actor}
                    {h.reason ? ` · ${h.reason}` : ""}
                  </Typography>
                </Box>
              ))}
            </Box>
          )}
        </Paper>
      </Box>

      <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="why-heading">
        <Typography variant="h6" component="h2" id="why-heading">
          Why not now?
        </Typography>
        <WhyNotNow why={why} />
      </Paper>

      <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="chart-heading">
        <Typography variant="h6" component="h2" id="chart-heading">
          Tonight’s altitude
        </Typography>
        <TonightChart
          ra={observation.targets[0]?.raDeg}
          dec={observation.targets[0]?.decDeg}
          name={observation.targets[0]?.name ?? ""}
          observatoryId={observation.eligibleObservatories.edges[0]?.node.id ?? why.data?.schedulingExplanation?.observatories[0]?.observatory.id}
          minAltitudeDeg={observation.constraints.minAltitudeDeg}
        />
      </Paper>

      <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="frames-heading">
        <Typography variant="h6" component="h2" id="frames-heading">
          Frames
        </Typography>
        <FrameStrip observationId={id} title={false} />
      </Paper>

      <Paper variant="outlined" sx={{ p: 2, display: "flex", gap: 2, alignItems: "flex-start" }} component="section" aria-label="Save as template">
        <TextField size="small" label="Template name" value={templateName} onChange={(e) => setTemplateName(e.target.value)} />
        <Button variant="outlined" onClick={() => void template()} disabled={!templateName.trim()}>
          Save plan as template
        </Button>
      </Paper>
    </Stack>
  );
}

type WhyResult = UseQueryState<WhyNotNowQuery>;

function WhyNotNow({ why }: { why: WhyResult }) {
  if (why.error && !why.data) return <ErrorState error={why.error} />;
  if (!why.data) return <Loading label="Asking the scheduler…" />;
  const explanation = why.data.schedulingExplanation;
  if (!explanation || explanation.observatories.length === 0) {
    return <Empty>No eligible observatory: register one, or widen the eligible observatories.</Empty>;
  }
  return (
    <>
      <Typography variant="body2" color="text.secondary">
        Evaluated {formatDateTime(explanation.evaluatedAt)}
      </Typography>
      {explanation.observatories.map((o) => (
        <Box key={o.observatory.id} sx={{ mt: 2 }}>
          <Typography variant="subtitle1" component="h3">
            {o.observatory.name}{" "}
            {o.gate && <Chip size="small" color="warning" label={`Gate: ${humanize(o.gate)}`} />}{" "}
            <Chip size="small" color={o.fitsNow ? "success" : "default"} label={o.fitsNow ? "Fits now" : o.observableNow ? "Observable, block does not fit" : "Not observable now"} />{" "}
            <Typography component="span" variant="body2">
              next eligible {formatDateTime(o.nextEligibleAt)} · score {formatNumber(o.score.total)}
            </Typography>
          </Typography>
          <Table size="small" aria-label={`Constraints at ${o.observatory.name}`}>
            <TableHead>
              <TableRow>
                <TableCell>Constraint</TableCell>
                <TableCell>Now</TableCell>
                <TableCell>Limit</TableCell>
                <TableCell>Holds</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {o.constraints.map((c) => (
                <TableRow key={c.constraint}>
                  <TableCell>{humanize(c.constraint)}</TableCell>
                  <TableCell>{c.unit === "unix_s" ? "—" : `${formatNumber(c.value)} ${c.unit}`}</TableCell>
                  <TableCell>{c.unit === "unix_s" ? "—" : `${formatNumber(c.limit)} ${c.unit}`}</TableCell>
                  <TableCell>{c.passed ? "yes" : <strong>no</strong>}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      ))}
    </>
  );
}

function TonightChart({
  ra,
  dec,
  name,
  observatoryId,
  minAltitudeDeg,
}: {
  ra?: number;
  dec?: number;
  name: string;
  observatoryId?: string;
  minAltitudeDeg: number;
}) {
  const [fallback] = useQuery({ query: FIRST_OBSERVATORY, pause: Boolean(observatoryId) });
  const site = observatoryId ?? fallback.data?.observatories.edges[0]?.node.id;
  const span = useMemo(() => {
    const start = new Date(Math.floor(Date.now() / 600_000) * 600_000);
    return { start: start.toISOString(), end: new Date(start.getTime() + 16 * 3_600_000).toISOString() };
  }, []);
  const [visibility] = useQuery({
    query: VISIBILITY,
    variables: { ra: ra ?? 0, dec: dec ?? 0, observatoryId: site ?? "", ...span },
    pause: ra === undefined || dec === undefined || !site,
  });
  if (!site) return fallback.fetching ? <Loading /> : <Empty>No observatory to compute altitudes for.</Empty>;
  if (visibility.error && !visibility.data) return <ErrorState error={visibility.error} />;
  const v = visibility.data?.targetVisibility;
  if (!v) return visibility.fetching ? <Loading label="Computing altitudes…" /> : <Empty>No altitudes available.</Empty>;
  return (
    <AltitudeChart
      title={`Altitude of ${name} over the next 16 hours`}
      times={v.times}
      series={[
        { label: name, values: v.altitudeDeg, colour: "#1e3a8a" },
        { label: "Moon", values: v.moonAltitudeDeg, colour: "#9e9e9e", dashed: true },
      ]}
      sunAltitudeDeg={v.sunAltitudeDeg}
      minAltitudeDeg={minAltitudeDeg}
    />
  );
}

