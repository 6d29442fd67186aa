import {
  Box,
  Card,
  CardActionArea,
  CardContent,
  Chip,
  Grid,
  Link,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link as RouterLink } from "react-router-dom";
import { useQuery } from "urql";
import { Empty, ErrorState, Loading } from "../components/states";
import { StateChip } from "../components/StateChip";
import { formatDateTime, humanize } from "../components/format";
import { nodes } from "../connections";
import { graphql } from "../gql";
import type { ObservationState } from "../gql/graphql";
import { useFrameEvents, useObservationEvents, useObservatoryEvents } from "../live";
import type { ObservatoryEvent } from "../gql/graphql";
import { RecentFramesFeed } from "./RecentFrames";

export const STATES: ObservationState[] = [
  "DRAFT",
  "PENDING",
  "ASSIGNED",
  "IN_PROGRESS",
  "ACQUISITION_COMPLETE",
  "SUSPENDED",
  "PAUSED",
  "COMPLETED",
  "PARTIALLY_COMPLETED",
  "FAILED",
  "CANCELLED",
  "ABORTED",
  "EXPIRED",
];

const DASHBOARD = graphql(`
  query Dashboard {
    observatories(first: 100) {
      edges {
        node {
          id
          name
          code
          dispatchEnabled
          maintenance
          safety
          liveStatus {
            connected
            operationalState
            safety
            currentObservationId
            progress { phase percent framesCaptured }
          }
        }
      }
    }
    all: observations(first: 1) { totalCount }
    draft: observations(first: 1, filter: { states: [DRAFT] }) { totalCount }
    pending: observations(first: 1, filter: { states: [PENDING] }) { totalCount }
    assigned: observations(first: 1, filter: { states: [ASSIGNED] }) { totalCount }
    inProgress: observations(first: 1, filter: { states: [IN_PROGRESS] }) { totalCount }
    acquisitionComplete: observations(first: 1, filter: { states: [ACQUISITION_COMPLETE] }) { totalCount }
    suspended: observations(first: 1, filter: { states: [SUSPENDED] }) { totalCount }
    paused: observations(first: 1, filter: { states: [PAUSED] }) { totalCount }
    completed: observations(first: 1, filter: { states: [COMPLETED] }) { totalCount }
    partiallyCompleted: observations(first: 1, filter: { states: [PARTIALLY_COMPLETED] }) { totalCount }
    failed: observations(first: 1, filter: { states: [FAILED] }) { totalCount }
    cancelled: observations(first: 1, filter: { states: [CANCELLED] }) { totalCount }
    aborted: observations(first: 1, filter: { states: [ABORTED] }) { totalCount }
    expired: observations(first: 1, filter: { states: [EXPIRED] }) { totalCount }
    recent: observations(first: 8) {
      edges {
        node {
          id
          name
          state
          priority
          updatedAt
          targets { name }
        }
      }
    }
  }
`);

const RECENT_FRAMES = graphql(`
  query RecentFrames($observationId: ID!) {
    frames(observationId: $observationId, first: 12) {
      edges {
        node {
          id
          state
          createdAt
          thumbnailUrl
          metadata { filterName exposureS }
          metrics { fwhmArcsec starsDetected }
          grade { accepted }
        }
      }
    }
  }
`);

type CountKey =
  | "draft"
  | "pending"
  | "assigned"
  | "inProgress"
  | "acquisitionComplete"
  | "suspended"
  | "paused"
  | "completed"
  | "partiallyCompleted"
  | "failed"
  | "cancelled"
  | "aborted"
  | "expired";

function countKey(state: string): CountKey {
  return state.toLowerCase().replace(/_(.)/g, (_, c: string) => c.toUpperCase()) as CountKey;
}

export function DashboardPage() {
  const [result, refetch] = useQuery({ query: DASHBOARD });
  // State changes seen since the last answer: count deltas and latest state per observation.
  const [delta, setDelta] = useState<Record<string, number>>({});
  const [latest, setLatest] = useState<Record<string, string>>({});
  const [observatoryLive, setObservatoryLive] = useState<Record<string, ObservatoryEvent>>({});
  useObservatoryEvents((event) => setObservatoryLive((live) => ({ ...live, [event.observatoryId]: event })));

  const data = result.data;
  useEffect(() => {
    setDelta({});
    setLatest({});
  }, [data]);

  const refresh = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(refresh.current), []);
  const known = useMemo(() => new Set(data?.recent.edges.map((e) => e.node.id)), [data]);
  useObservationEvents((event) => {
    setDelta((d) => {
      const next = { ...d, [event.state]: (d[event.state] ?? 0) + 1 };
      if (event.previousState) next[event.previousState] = (next[event.previousState] ?? 0) - 1;
      return next;
    });
    setLatest((l) => ({ ...l, [event.observationId]: event.state }));
    // A new or unlisted observation: refresh the lists once the burst of events is over.
    if (!known.has(event.observationId)) {
      window.clearTimeout(refresh.current);
      refresh.current = window.setTimeout(() => refetch({ requestPolicy: "network-only" }), 500);
    }
  });
  if (result.error && !data) return <ErrorState error={result.error} />;
  if (!data) return <Loading label="Loading the dashboard…" />;

  const total = data.all.totalCount + Object.values(delta).reduce((a, b) => a + b, 0);

  return (
    <Stack spacing={3} data-testid="dashboard" data-ready="true">
      <Typography variant="h4" component="h1">
        Dashboard
      </Typography>

      <section aria-labelledby="queue-heading">
        <Typography variant="h6" component="h2" id="queue-heading" gutterBottom>
          Queue ({total} observations)
        </Typography>
        <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap" }}>
          {STATES.map((state) => {
            const count = data[countKey(state)].totalCount + (delta[state] ?? 0);
            return (
              <Paper key={state} variant="outlined" sx={{ px: 2, py: 1, minWidth: 110 }} data-testid={`count-${state}`}>
                <Typography variant="caption" component="p">
                  {humanize(state)}
                </Typography>
                <Typography variant="h6" component="p">
                  {count}
                </Typography>
              </Paper>
            );
          })}
        </Box>
      </section>

      <section aria-labelledby="observatories-heading">
        <Typography variant="h6" component="h2" id="observatories-heading" gutterBottom>
          Observatories
        </Typography>
        {data.observatories.edges.length === 0 ? (
          <Empty>
            No observatories yet. <Link component={RouterLink} to="/observatories">Register one</Link>.
          </Empty>
        ) : (
          <Grid container spacing={2}>
            {nodes(data.observatories).map((o) => {
              const event = observatoryLive[o.id];
              const status = o.liveStatus;
              const connected = event?.connected ?? status?.connected ?? false;
              const state = event?.operationalState ?? status?.operationalState;
              const safety = (event?.safety ?? status?.safety ?? o.safety).toUpperCase();
              const current = event ? event.currentObservationId : status?.currentObservationId;
              const percent = event?.progressPercent ?? status?.progress?.percent;
              const phase = event?.progressPhase ?? status?.progress?.phase;
              return (
                <Grid item xs={12} sm={6} md={4} key={o.id}>
                  <Card variant="outlined" data-testid={`observatory-${o.code}`}>
                    <CardActionArea component={RouterLink} to={`/observatories/${o.id}`}>
                      <CardContent>
                        <Typography variant="subtitle1" component="h3">
                          {o.name} <Typography component="span" variant="body2" color="text.secondary">({o.code})</Typography>
                        </Typography>
                        <Stack direction="row" spacing={1} sx={{ mt: 1, flexWrap: "wrap", gap: 0.5 }}>
                          <Chip size="small" label={connected ? "Connected" : "Offline"} color={connected ? "success" : "default"} />
                          {state && <Chip size="small" label={humanize(state.toUpperCase())} color="info" />}
                          <Chip size="small" label={`Safety: ${humanize(safety)}`} color={safety === "SAFE" ? "success" : "warning"} />
                          <Chip size="small" label={o.dispatchEnabled ? "Dispatch on" : "Dispatch off"} color={o.dispatchEnabled ? "primary" : "default"} />
                          {o.maintenance && <Chip size="small" label="Maintenance" color="warning" />}
                        </Stack>
                        {current && (
                          <Typography variant="body2" sx={{ mt: 1 }}>
                            Observing {current.slice(-6)}
                            {phase ? ` · ${phase}` : ""}
                            {percent !== null && percent !== undefined ? ` · ${percent.toFixed(0)} %` : ""}
                          </Typography>
                        )}
                      </CardContent>
                    </CardActionArea>
                  </Card>
                </Grid>
              );
            })}
          </Grid>
        )}
      </section>

      <section aria-labelledby="recent-heading">
        <Typography variant="h6" component="h2" id="recent-heading" gutterBottom>
          Recent observations
        </Typography>
        {data.recent.edges.length === 0 ? (
          <Empty>
            No observations yet. <Link component={RouterLink} to="/observations/new">Create one</Link>.
          </Empty>
        ) : (
          <Table size="small" aria-labelledby="recent-heading">
            <TableHead>
              <TableRow>
                <TableCell>Name</TableCell>
                <TableCell>Targets</TableCell>
                <TableCell>Priority</TableCell>
                <TableCell>State</TableCell>
                <TableCell>Updated</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {data.recent.edges.map(({ node }) => (
                <TableRow key={node.id}>
                  <TableCell>
                    <Link component={RouterLink} to={`/observations/${node.id}`}>
                      {node.name}
                    </Link>
                  </TableCell>
                  <TableCell>{node.targets.map((t) => t.name).join(", ")}</TableCell>
                  <TableCell>{node.priority}</TableCell>
                  <TableCell>
                    <StateChip state={latest[node.id] ?? node.state} testId={`dashboard-state-${node.id}`} />
                  </TableCell>
                  <TableCell>{formatDateTime(node.updatedAt)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </section>

      <section aria-labelledby="frames-heading">
        <Typography variant="h6" component="h2" id="frames-heading" gutterBottom>
          Recent frames
        </Typography>
        <RecentFramesFeed />
      </section>
    </Stack>
  );
}

export function FrameStrip({ observationId, title = true, name }: { observationId: string; title?: boolean; name?: string }) {
  const [result, refetch] = useQuery({ query: RECENT_FRAMES, variables: { observationId } });
  const reload = useCallback(() => refetch({ requestPolicy: "network-only" }), [refetch]);
  useFrameEvents((event) => {
    if (event.observationId === observationId) reload();
  });
  if (result.error && !result.data) return <ErrorState error={result.error} />;
  if (!result.data) return <Loading label="Loading frames…" />;
  const frames = result.data.frames.edges.map((e) => e.node);
  if (frames.length === 0) return title ? null : <Empty>No frames yet.</Empty>;
  return (
    <Box>
      {title && (
        <Typography variant="subtitle2" component="h3">
          <Link component={RouterLink} to={`/observations/${observationId}`}>
            {name ?? `Observation ${observationId.slice(-6)}`}
          </Link>
        </Typography>
      )}
      <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap" }} data-testid={`frames-${observationId}`}>
        {frames.map((frame) => (
          <Card key={frame.id} variant="outlined" sx={{ width: 168 }}>
            <CardActionArea component={RouterLink} to={`/frames/${frame.id}`} aria-label={`Frame ${frame.id.slice(-6)}`}>
              {frame.thumbnailUrl ? (
                <Box
                  component="img"
                  src={frame.thumbnailUrl}
                  alt={`Thumbnail of frame ${frame.id.slice(-6)}`}
                  sx={{ width: "100%", height: 112, objectFit: "cover", display: "block", bgcolor: "black" }}
                  data-testid="frame-thumbnail"
                />
              ) : (
                <Box sx={{ height: 112, display: "grid", placeItems: "center", bgcolor: "grey.200" }}>
                  <Typography variant="caption">{humanize(frame.state)}</Typography>
                </Box>
              )}
              <CardContent sx={{ p: 1 }}>
                <Typography variant="caption" component="p">
                  {frame.metadata?.filterName ?? "?"} · {frame.metadata?.exposureS ?? "?"} s
                </Typography>
                <Typography variant="caption" component="p">
                  FWHM {frame.metrics?.fwhmArcsec?.toFixed(2) ?? "—"}″ · {frame.metrics?.starsDetected ?? "—"} stars
                </Typography>
                {frame.grade && (
                  <Chip
                    size="small"
                    label={frame.grade.accepted ? "Accepted" : "Rejected"}
                    color={frame.grade.accepted ? "success" : "error"}
                  />
                )}
              </CardContent>
            </CardActionArea>
          </Card>
        ))}
      </Box>
    </Box>
  );
}
