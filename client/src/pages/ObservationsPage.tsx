import {
  Box,
  Button,
  Checkbox,
  FormControl,
  InputLabel,
  Link,
  ListItemText,
  MenuItem,
  OutlinedInput,
  Select,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TableSortLabel,
  TextField,
  Typography,
} from "@mui/material";
import { useMemo, useState } from "react";
import { Link as RouterLink } from "react-router-dom";
import { useQuery } from "urql";
import { Empty, ErrorState, Loading } from "../components/states";
import { StateChip } from "../components/StateChip";
import { formatDateTime, humanize } from "../components/format";
import { graphql } from "../gql";
import type { ObservationState } from "../gql/graphql";
import { useObservationEvents } from "../live";
import { useKnownProjects } from "../projects";
import { STATES } from "./DashboardPage";

const OBSERVATIONS = graphql(`
  query Observations($first: Int!, $after: String, $filter: ObservationFilter) {
    observations(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id
          name
          type
          priority
          state
          createdAt
          updatedAt
          targets { name }
          project { id code name }
        }
      }
    }
  }
`);

type SortKey = "createdAt" | "name" | "priority" | "state";

export function ObservationsPage() {
  const [states, setStates] = useState<ObservationState[]>([]);
  const [targetName, setTargetName] = useState("");
  const [minPriority, setMinPriority] = useState("");
  const [projectId, setProjectId] = useState("");
  const [pageSize, setPageSize] = useState(20);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: "createdAt", desc: true });
  const [latest, setLatest] = useState<Record<string, string>>({});
  const { projects } = useKnownProjects();

  const filter = useMemo(
    () => ({
      states: states.length ? states : null,
      targetName: targetName.trim() || null,
      priorityAtLeast: minPriority ? Number(minPriority) : null,
      projectId: projectId || null,
    }),
    [states, targetName, minPriority, projectId],
  );
  const after = cursors[cursors.length - 1];
  const [result, refetch] = useQuery({
    query: OBSERVATIONS,
    variables: { first: pageSize, after, filter },
  });

  const shown = useMemo(
    () => new Set(result.data?.observations.edges.map((e) => e.node.id)),
    [result.data],
  );
  useObservationEvents((event) => {
    if (shown.has(event.observationId)) {
      setLatest((l) => ({ ...l, [event.observationId]: event.state }));
    } else if (cursors.length === 1) {
      refetch({ requestPolicy: "network-only" });
    }
  });

  const rows = useMemo(() => {
    const nodes = (result.data?.observations.edges ?? []).map((e) => ({
      ...e.node,
      state: latest[e.node.id] ?? e.node.state,
    }));
    const sign = sort.desc ? -1 : 1;
    return [...nodes].sort((a, b) => {
      const x = a[sort.key];
      const y = b[sort.key];
      return (x < y ? -1 : x > y ? 1 : 0) * sign;
    });
  }, [result.data, latest, sort]);

  function resetPages() {
    setCursors([null]);
  }

  function sortBy(key: SortKey) {
    setSort((s) => ({ key, desc: s.key === key ? !s.desc : key !== "name" }));
  }

  const header = (key: SortKey, label: string) => (
    <TableCell sortDirection={sort.key === key ? (sort.desc ? "desc" : "asc") : false}>
      <TableSortLabel active={sort.key === key} direction={sort.key === key && sort.desc ? "desc" : "asc"} onClick={() => sortBy(key)}>
        {label}
      </TableSortLabel>
    </TableCell>
  );

  return (
    <Stack spacing={2}>
      <Box sx={{ display: "flex", alignItems: "center", gap: 2 }}>
        <Typography variant="h4" component="h1" sx={{ flexGrow: 1 }}>
          Observations
        </Typography>
        <Button variant="contained" component={RouterLink} to="/observations/new">
          New observation
        </Button>
      </Box>

      <Box component="form" role="search" aria-label="Filter observations" sx={{ display: "flex", gap: 2, flexWrap: "wrap" }} onSubmit={(e) => e.preventDefault()}>
        <FormControl sx={{ minWidth: 220 }} size="small">
          <InputLabel id="filter-states-label">States</InputLabel>
          <Select
            labelId="filter-states-label"
            multiple
            value={states}
            onChange={(e) => {
              const value = e.target.value;
              setStates((typeof value === "string" ? value.split(",") : value) as ObservationState[]);
              resetPages();
            }}
            input={<OutlinedInput label="States" />}
            renderValue={(selected) => selected.map(humanize).join(", ")}
          >
            {STATES.map((state) => (
              <MenuItem key={state} value={state}>
                <Checkbox checked={states.includes(state)} />
                <ListItemText primary={humanize(state)} />
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <TextField
          size="small"
          label="Target name contains"
          value={targetName}
          onChange={(e) => {
            setTargetName(e.target.value);
            resetPages();
          }}
        />
        <TextField
          size="small"
          label="Priority at least"
          type="number"
          inputProps={{ min: 1, max: 10 }}
          value={minPriority}
          onChange={(e) => {
            setMinPriority(e.target.value);
            resetPages();
          }}
          sx={{ width: 150 }}
        />
        <TextField
          select
          size="small"
          label="Project"
          value={projectId}
          onChange={(e) => {
            setProjectId(e.target.value);
            resetPages();
          }}
          sx={{ minWidth: 200 }}
        >
          <MenuItem value="">All projects</MenuItem>
          {projects.map((p) => (
            <MenuItem key={p.id} value={p.id}>
              {p.code} — {p.name}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          size="small"
          label="Per page"
          value={String(pageSize)}
          onChange={(e) => {
            setPageSize(Number(e.target.value));
            resetPages();
          }}
          sx={{ width: 110 }}
        >
          {[10, 20, 50, 100].map((n) => (
            <MenuItem key={n} value={String(n)}>
              {n}
            </MenuItem>
          ))}
        </TextField>
      </Box>

      {result.error && !result.data ? (
        <ErrorState error={result.error} />
      ) : !result.data ? (
        <Loading label="Loading observations…" />
      ) : rows.length === 0 ? (
        <Empty>No observations match these filters.</Empty>
      ) : (
        <>
          <Typography variant="body2" color="text.secondary" aria-live="polite">
            {result.data.observations.totalCount} observations · page {cursors.length} · sorting within the page
          </Typography>
          <Table size="small" aria-label="Observations">
            <TableHead>
              <TableRow>
                {header("name", "Name")}
                <TableCell>Targets</TableCell>
                <TableCell>Project</TableCell>
                <TableCell>Type</TableCell>
                {header("priority", "Priority")}
                {header("state", "State")}
                {header("createdAt", "Created")}
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map((node) => (
                <TableRow key={node.id} hover>
                  <TableCell>
                    <Link component={RouterLink} to={`/observations/${node.id}`}>
                      {node.name}
                    </Link>
                  </TableCell>
                  <TableCell>{node.targets.map((t) => t.name).join(", ")}</TableCell>
                  <TableCell>{node.project?.code ?? "—"}</TableCell>
                  <TableCell>{humanize(node.type)}</TableCell>
                  <TableCell>{node.priority}</TableCell>
                  <TableCell>
                    <StateChip state={node.state} testId={`list-state-${node.id}`} />
                  </TableCell>
                  <TableCell>{formatDateTime(node.createdAt)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <Box sx={{ display: "flex", gap: 1 }}>
            <Button disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
              Previous page
            </Button>
            <Button
              disabled={!result.data.observations.pageInfo.hasNextPage}
              onClick={() => setCursors((c) => [...c, result.data?.observations.pageInfo.endCursor ?? null])}
            >
              Next page
            </Button>
          </Box>
        </>
      )}
    </Stack>
  );
}
