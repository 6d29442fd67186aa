import {
  Alert,
  Box,
  Button,
  Checkbox,
  Chip,
  Divider,
  FormControlLabel,
  FormGroup,
  FormLabel,
  IconButton,
  MenuItem,
  Paper,
  Stack,
  Switch,
  TextField,
  Typography,
} from "@mui/material";
import { useEffect, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { useClient, useMutation, useQuery } from "urql";
import { errorProps, toFieldErrors, unplacedErrors } from "../components/fieldErrors";
import type { FieldErrorMap } from "../components/fieldErrors";
import { formatNumber } from "../components/format";
import { ErrorState, Loading } from "../components/states";
import { nodes } from "../connections";
import { graphql } from "../gql";
import type { CreateObservationInput, Darkness, ObservationType } from "../gql/graphql";
import { useKnownProjects } from "../projects";

const CREATE = graphql(`
  mutation CreateObservation($input: CreateObservationInput!) {
    createObservation(input: $input) {
      __typename
      ... on Observation { id state }
      ... on ValidationError { message fields { path message } }
      ... on NotFound { message }
      ... on Forbidden { message }
      ... on Conflict { message }
    }
  }
`);

const RESOLVE = graphql(`
  query ResolveTarget($organizationId: ID!, $name: String!) {
    resolveTarget(organizationId: $organizationId, name: $name) {
      __typename
      ... on ResolvedTarget { name raDeg decDeg raHms decDms objectType magnitude commonNames source }
      ... on ValidationError { message fields { path message } }
      ... on NotFound { message }
      ... on Forbidden { message }
      ... on Conflict { message }
    }
  }
`);

const FORM_CONTEXT = graphql(`
  query ObservationFormContext {
    observatories(first: 100) { edges { node { id name code } } }
  }
`);

const UPDATE = graphql(`
  mutation UpdateObservation($input: UpdateObservationInput!) {
    updateObservation(input: $input) {
      __typename
      ... on Observation { id state name }
      ... on ValidationError { message fields { path message } }
      ... on NotFound { message }
      ... on Forbidden { message }
      ... on Conflict { message }
    }
  }
`);

const SOURCE = graphql(`
  query ObservationToCopy($id: ID!) {
    observation(id: $id) {
      id
      name
      type
      priority
      notes
      project { id name code organizationId }
      targets { name raDeg decDeg rotationDeg exposures { filter exposureS count binning gain offset } }
      constraints { minAltitudeDeg maxAirmass moonSeparationDeg moonSeparationWidthDays maxMoonIllumination darkness windows { start end } }
      thresholds { maxFwhmArcsec minStars maxEccentricity minSnr }
      typeSettings { fixedStart fixedEnd allocatedMinutes fillTime cadenceDays cadenceStart cadenceEnd cadenceMaxObservations safetyMarginMinutes }
      eligibleObservatories(first: 100) { edges { node { id } } }
      state
    }
  }
`);

interface ExposureRow { filter: string; exposureS: string; count: string; binning: string; gain: string; offset: string }
interface TargetRow { name: string; ra: string; dec: string; rotationDeg: string; exposures: ExposureRow[]; lookup?: string }
interface WindowRow { start: string; end: string }

const TYPES: ObservationType[] = ["FLEXIBLE", "FIXED_TIME", "TIME_BASED", "MONITORING", "RISE_TO_SET"];
const DARKNESS: Darkness[] = ["CIVIL", "NAUTICAL", "ASTRONOMICAL", "ANY"];

const newExposure = (): ExposureRow => ({ filter: "L", exposureS: "60", count: "10", binning: "1", gain: "", offset: "" });
const newTarget = (): TargetRow => ({ name: "", ra: "", dec: "", rotationDeg: "", exposures: [newExposure()] });

const num = (value: string): number | null => (value.trim() === "" ? null : Number(value));
const iso = (value: string): string | null => (value ? new Date(value).toISOString() : null);

const text = (value: number | null | undefined): string => (value === null || value === undefined ? "" : String(value));
const local = (value: string | null | undefined): string => (value ? value.slice(0, 16) : "");

/** Create an observation, copy one (`/observations/:id/copy`) or edit a draft (`edit`). */
export function ObservationFormPage({ edit = false }: { edit?: boolean }) {
  const { id: copyOf } = useParams();
  const navigate = useNavigate();
  const client = useClient();
  const { projects, fetching: projectsLoading } = useKnownProjects();
  const [context] = useQuery({ query: FORM_CONTEXT });
  const [source] = useQuery({ query: SOURCE, variables: { id: copyOf ?? "" }, pause: !copyOf });
  const [, create] = useMutation(CREATE);
  const [, update] = useMutation(UPDATE);

  const [projectId, setProjectId] = useState("");
  const [name, setName] = useState("");
  const [type, setType] = useState<ObservationType>("FLEXIBLE");
  const [priority, setPriority] = useState("5");
  const [notes, setNotes] = useState("");
  const [targets, setTargets] = useState<TargetRow[]>([newTarget()]);
  const [constraints, setConstraints] = useState({
    minAltitudeDeg: "30",
    maxAirmass: "2",
    moonSeparationDeg: "60",
    moonSeparationWidthDays: "7",
    maxMoonIllumination: "1",
    darkness: "NAUTICAL" as Darkness,
  });
  const [windows, setWindows] = useState<WindowRow[]>([]);
  const [thresholds, setThresholds] = useState({ maxFwhmArcsec: "", minStars: "", maxEccentricity: "", minSnr: "" });
  const [typeSettings, setTypeSettings] = useState({
    fixedStart: "", fixedEnd: "", allocatedMinutes: "", fillTime: false, cadenceDays: "",
    cadenceStart: "", cadenceEnd: "", cadenceMaxObservations: "", safetyMarginMinutes: "15",
  });
  const [eligible, setEligible] = useState<string[]>([]);
  const [errors, setErrors] = useState<FieldErrorMap>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!projectId && projects.length) setProjectId(projects[0].id);
  }, [projects, projectId]);

  // Prefill from an existing observation ("copy and edit").
  const copied = source.data?.observation;
  useEffect(() => {
    if (!copied) return;
    setName(edit ? copied.name : `${copied.name} (copy)`);
    setType(copied.type);
    setPriority(String(copied.priority));
    setNotes(copied.notes);
    if (copied.project) setProjectId(copied.project.id);
    setTargets(
      copied.targets.map((t) => ({
        name: t.name,
        ra: String(t.raDeg),
        dec: String(t.decDeg),
        rotationDeg: t.rotationDeg === null || t.rotationDeg === undefined ? "" : String(t.rotationDeg),
        exposures: t.exposures.map((e) => ({
          filter: e.filter, exposureS: String(e.exposureS), count: String(e.count), binning: String(e.binning),
          gain: e.gain === null || e.gain === undefined ? "" : String(e.gain),
          offset: e.offset === null || e.offset === undefined ? "" : String(e.offset),
        })),
      })),
    );
    const c = copied.constraints;
    setConstraints({
      minAltitudeDeg: String(c.minAltitudeDeg), maxAirmass: String(c.maxAirmass), moonSeparationDeg: String(c.moonSeparationDeg),
      moonSeparationWidthDays: String(c.moonSeparationWidthDays), maxMoonIllumination: String(c.maxMoonIllumination), darkness: c.darkness,
    });
    setWindows(c.windows.map((w) => ({ start: w.start.slice(0, 16), end: w.end.slice(0, 16) })));
    setEligible(nodes(copied.eligibleObservatories).map((o) => o.id));
    const th = copied.thresholds;
    setThresholds({ maxFwhmArcsec: text(th.maxFwhmArcsec), minStars: text(th.minStars), maxEccentricity: text(th.maxEccentricity), minSnr: text(th.minSnr) });
    const ts = copied.typeSettings;
    setTypeSettings({
      fixedStart: local(ts.fixedStart), fixedEnd: local(ts.fixedEnd), allocatedMinutes: text(ts.allocatedMinutes), fillTime: ts.fillTime,
      cadenceDays: text(ts.cadenceDays), cadenceStart: local(ts.cadenceStart), cadenceEnd: local(ts.cadenceEnd),
      cadenceMaxObservations: text(ts.cadenceMaxObservations), safetyMarginMinutes: text(ts.safetyMarginMinutes),
    });
  }, [copied, edit]);

  const project = projects.find((p) => p.id === projectId);

  function updateTarget(index: number, patch: Partial<TargetRow>) {
    setTargets((rows) => rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  }
  function updateExposure(t: number, e: number, patch: Partial<ExposureRow>) {
    setTargets((rows) =>
      rows.map((row, i) =>
        i === t ? { ...row, exposures: row.exposures.map((ex, j) => (j === e ? { ...ex, ...patch } : ex)) } : row,
      ),
    );
  }

  async function lookUp(index: number) {
    const target = targets[index];
    if (!project) {
      setErrors((e) => ({ ...e, projectId: "Choose a project first: names are looked up in its organization." }));
      return;
    }
    const answer = await client
      .query(RESOLVE, { organizationId: project.organizationId, name: target.name }, { requestPolicy: "network-only" })
      .toPromise();
    const resolved = answer.data?.resolveTarget;
    if (!resolved || answer.error) {
      setErrors((e) => ({ ...e, [`targets.${index}.name`]: answer.error?.message ?? "Lookup failed." }));
    } else if (resolved.__typename === "ResolvedTarget") {
      const magnitude = resolved.magnitude === null || resolved.magnitude === undefined ? "" : ` · mag ${resolved.magnitude}`;
      updateTarget(index, {
        ra: resolved.raHms,
        dec: resolved.decDms,
        lookup: `${resolved.objectType}${magnitude} · ${resolved.raHms} ${resolved.decDms} · ${resolved.source}${resolved.commonNames.length ? " · " + resolved.commonNames.join(", ") : ""}`,
      });
      setErrors((e) => ({ ...e, [`targets.${index}.name`]: "" }));
    } else {
      setErrors((e) => ({ ...e, [`targets.${index}.name`]: resolved.message }));
    }
  }

  function buildInput(submit: boolean): CreateObservationInput {
    return { ...buildPlan(), projectId, submit };
  }

  /** The plan as both createObservation and updateObservation take it. */
  function buildPlan(): Omit<CreateObservationInput, "projectId" | "submit"> {
    return {
      name,
      type,
      priority: Number(priority),
      notes,
      targets: targets.map((t) => ({
        name: t.name,
        ra: t.ra.trim() || null,
        dec: t.dec.trim() || null,
        rotationDeg: num(t.rotationDeg),
        exposures: t.exposures.map((e) => ({
          filter: e.filter,
          exposureS: Number(e.exposureS),
          count: Number(e.count),
          binning: Number(e.binning),
          gain: num(e.gain),
          offset: num(e.offset),
        })),
      })),
      constraints: {
        minAltitudeDeg: Number(constraints.minAltitudeDeg),
        maxAirmass: Number(constraints.maxAirmass),
        moonSeparationDeg: Number(constraints.moonSeparationDeg),
        moonSeparationWidthDays: Number(constraints.moonSeparationWidthDays),
        maxMoonIllumination: Number(constraints.maxMoonIllumination),
        darkness: constraints.darkness,
        windows: windows.map((w) => ({ start: iso(w.start) ?? "", end: iso(w.end) ?? "" })),
      },
      thresholds: {
        maxFwhmArcsec: num(thresholds.maxFwhmArcsec),
        minStars: num(thresholds.minStars),
        maxEccentricity: num(thresholds.maxEccentricity),
        minSnr: num(thresholds.minSnr),
      },
      typeSettings: {
        fixedStart: iso(typeSettings.fixedStart),
        fixedEnd: iso(typeSettings.fixedEnd),
        allocatedMinutes: num(typeSettings.allocatedMinutes),
        fillTime: typeSettings.fillTime,
        cadenceDays: num(typeSettings.cadenceDays),
        cadenceStart: iso(typeSettings.cadenceStart),
        cadenceEnd: iso(typeSettings.cadenceEnd),
        cadenceMaxObservations: num(typeSettings.cadenceMaxObservations),
        safetyMarginMinutes: Number(typeSettings.safetyMarginMinutes || 15),
      },
      eligibleObservatoryIds: eligible,
    };
  }

  async function save(submit: boolean) {
    setBusy(true);
    setErrors({});
    setFormError(null);
    if (!projectId) {
      setErrors({ projectId: "Choose a project." });
      setBusy(false);
      return;
    }
    const answer = edit && copyOf
      ? await update({ input: { ...buildPlan(), id: copyOf } }).then((a) => ({ error: a.error, data: a.data ? { createObservation: a.data.updateObservation } : undefined }))
      : await create({ input: buildInput(submit) });
    setBusy(false);
    const payload = answer.data?.createObservation;
    if (answer.error || !payload) {
      setFormError(answer.error?.message ?? "The server gave no answer.");
    } else if (payload.__typename === "Observation") {
      navigate(`/observations/${payload.id}`);
    } else if (payload.__typename === "ValidationError") {
      setErrors(toFieldErrors(payload.fields));
      setFormError(payload.message);
    } else {
      setFormError(payload.message);
    }
  }

  if (copyOf && source.fetching && !copied) return <Loading label={edit ? "Loading the draft…" : "Loading the observation to copy…"} />;
  if (edit && copied && copied.state !== "DRAFT") return <ErrorState message="Only drafts can be edited: use Copy and edit instead." />;

  const placed = new Set<string>(["projectId", "name", "type", "priority", "notes", "eligibleObservatoryIds"]);
  targets.forEach((t, i) => {
    ["name", "ra", "dec", "rotationDeg", "exposures"].forEach((f) => placed.add(`targets.${i}.${f}`));
    placed.add(`targets.${i}`);
    t.exposures.forEach((_, j) =>
      ["filter", "exposureS", "count", "binning", "gain", "offset"].forEach((f) => placed.add(`targets.${i}.exposures.${j}.${f}`)),
    );
  });
  Object.keys(constraints).forEach((f) => placed.add(`constraints.${f}`));
  Object.keys(thresholds).forEach((f) => placed.add(`thresholds.${f}`));
  Object.keys(typeSettings).forEach((f) => placed.add(`typeSettings.${f}`));
  const others = unplacedErrors(errors, (path) => placed.has(path) || !errors[path]);

  return (
    <Stack spacing={2} component="form" noValidate onSubmit={(e) => { e.preventDefault(); void save(true); }} aria-label="Observation">
      <Typography variant="h4" component="h1">
        {edit ? "Edit draft" : copyOf ? "Copy observation" : "New observation"}
      </Typography>
      {formError && (
        <Alert severity="error" role="alert">
          {formError}
          {others.map((message) => (
            <div key={message}>{message}</div>
          ))}
        </Alert>
      )}

      <Paper variant="outlined" sx={{ p: 2, display: "grid", gap: 2, gridTemplateColumns: { md: "2fr 2fr 1fr 1fr" } }}>
        <TextField
          select
          label="Project"
          value={projectId}
          disabled={edit}
          onChange={(e) => setProjectId(e.target.value)}
          {...errorProps(errors, "projectId", projectsLoading ? "Loading projects…" : projects.length ? undefined : "No project known yet: create one under Administration.")}
          required
        >
          {projects.map((p) => (
            <MenuItem key={p.id} value={p.id}>
              {p.code} — {p.name}
            </MenuItem>
          ))}
        </TextField>
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} required {...errorProps(errors, "name")} />
        <TextField select label="Type" value={type} onChange={(e) => setType(e.target.value as ObservationType)} {...errorProps(errors, "type")}>
          {TYPES.map((t) => (
            <MenuItem key={t} value={t}>
              {t.replace(/_/g, " ").toLowerCase()}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          label="Priority (1–10)"
          type="number"
          inputProps={{ min: 1, max: 10 }}
          value={priority}
          onChange={(e) => setPriority(e.target.value)}
          {...errorProps(errors, "priority", "10 is highest")}
        />
      </Paper>

      <Typography variant="h6" component="h2">
        Targets and exposure plan
      </Typography>
      {targets.map((target, t) => (
        <Paper key={t} variant="outlined" sx={{ p: 2 }} aria-label={`Target ${t + 1}`} role="group">
          <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap", alignItems: "flex-start" }}>
            <TextField
              label={`Target ${t + 1} name`}
              value={target.name}
              onChange={(e) => updateTarget(t, { name: e.target.value, lookup: undefined })}
              onKeyDown={(e) => {
                if (e.key === "Enter") {
                  e.preventDefault();
                  void lookUp(t);
                }
              }}
              {...errorProps(errors, `targets.${t}.name`, "Messier, NGC, IC or your library")}
            />
            <Button variant="outlined" onClick={() => void lookUp(t)} sx={{ mt: 1 }} disabled={!target.name.trim()}>
              Look up
            </Button>
            <TextField label="RA (deg or h:m:s)" value={target.ra} onChange={(e) => updateTarget(t, { ra: e.target.value })} {...errorProps(errors, `targets.${t}.ra`, "Empty: resolved from the name")} />
            <TextField label="Dec (deg or d:m:s)" value={target.dec} onChange={(e) => updateTarget(t, { dec: e.target.value })} {...errorProps(errors, `targets.${t}.dec`)} />
            <TextField label="Rotation (deg)" value={target.rotationDeg} onChange={(e) => updateTarget(t, { rotationDeg: e.target.value })} sx={{ width: 140 }} {...errorProps(errors, `targets.${t}.rotationDeg`)} />
            {targets.length > 1 && (
              <Button color="error" onClick={() => setTargets((rows) => rows.filter((_, i) => i !== t))} sx={{ mt: 1 }}>
                Remove target {t + 1}
              </Button>
            )}
          </Box>
          {target.lookup && <Chip sx={{ mt: 1 }} color="info" label={target.lookup} data-testid={`lookup-${t}`} />}
          {errors[`targets.${t}.exposures`] && <Alert severity="error" sx={{ mt: 1 }}>{errors[`targets.${t}.exposures`]}</Alert>}
          {errors[`targets.${t}`] && <Alert severity="error" sx={{ mt: 1 }}>{errors[`targets.${t}`]}</Alert>}
          <Typography variant="subtitle2" component="h3" sx={{ mt: 2 }}>
            Exposure sets of target {t + 1}
          </Typography>
          {target.exposures.map((exposure, e) => {
            const path = `targets.${t}.exposures.${e}`;
            const label = (field: string) => `${field} (target ${t + 1}, set ${e + 1})`;
            return (
              <Box key={e} sx={{ display: "flex", gap: 1, mt: 1, flexWrap: "wrap", alignItems: "flex-start" }} role="group" aria-label={`Exposure set ${e + 1}`}>
                <TextField size="small" label={label("Filter")} value={exposure.filter} onChange={(ev) => updateExposure(t, e, { filter: ev.target.value })} {...errorProps(errors, `${path}.filter`)} />
                <TextField size="small" label={label("Exposure s")} type="number" value={exposure.exposureS} onChange={(ev) => updateExposure(t, e, { exposureS: ev.target.value })} {...errorProps(errors, `${path}.exposureS`)} />
                <TextField size="small" label={label("Count")} type="number" value={exposure.count} onChange={(ev) => updateExposure(t, e, { count: ev.target.value })} {...errorProps(errors, `${path}.count`)} />
                <TextField size="small" label={label("Binning")} type="number" value={exposure.binning} onChange={(ev) => updateExposure(t, e, { binning: ev.target.value })} {...errorProps(errors, `${path}.binning`)} sx={{ width: 170 }} />
                <TextField size="small" label={label("Gain")} type="number" value={exposure.gain} onChange={(ev) => updateExposure(t, e, { gain: ev.target.value })} {...errorProps(errors, `${path}.gain`)} sx={{ width: 170 }} />
                <TextField size="small" label={label("Offset")} type="number" value={exposure.offset} onChange={(ev) => updateExposure(t, e, { offset: ev.target.value })} {...errorProps(errors, `${path}.offset`)} sx={{ width: 170 }} />
                {target.exposures.length > 1 && (
                  <IconButton aria-label={`Remove exposure set ${e + 1} of target ${t + 1}`} onClick={() => updateTarget(t, { exposures: target.exposures.filter((_, j) => j !== e) })}>
                    ×
                  </IconButton>
                )}
              </Box>
            );
          })}
          <Button size="small" sx={{ mt: 1 }} onClick={() => updateTarget(t, { exposures: [...target.exposures, newExposure()] })}>
            Add exposure set
          </Button>
        </Paper>
      ))}
      <Box>
        <Button onClick={() => setTargets((rows) => [...rows, newTarget()])}>Add target</Button>
      </Box>

      <Typography variant="h6" component="h2">
        Constraints (defaults shown)
      </Typography>
      <Paper variant="outlined" sx={{ p: 2, display: "grid", gap: 2, gridTemplateColumns: { md: "repeat(3, 1fr)" } }}>
        {(
          [
            ["minAltitudeDeg", "Minimum altitude (°)", "default 30"],
            ["maxAirmass", "Maximum airmass", "default 2.0"],
            ["moonSeparationDeg", "Moon separation at full moon (°)", "default 60"],
            ["moonSeparationWidthDays", "Moon separation width (days)", "default 7"],
            ["maxMoonIllumination", "Maximum moon illumination (0–1)", "default 1 (no limit)"],
          ] as const
        ).map(([key, label, helper]) => (
          <TextField
            key={key}
            label={label}
            type="number"
            value={constraints[key]}
            onChange={(e) => setConstraints((c) => ({ ...c, [key]: e.target.value }))}
            {...errorProps(errors, `constraints.${key}`, helper)}
          />
        ))}
        <TextField select label="Darkness" value={constraints.darkness} onChange={(e) => setConstraints((c) => ({ ...c, darkness: e.target.value as Darkness }))} {...errorProps(errors, "constraints.darkness", "default nautical")}>
          {DARKNESS.map((d) => (
            <MenuItem key={d} value={d}>
              {d.toLowerCase()}
            </MenuItem>
          ))}
        </TextField>
      </Paper>
      <Box>
        <Typography variant="subtitle2" component="h3">Time windows (UTC)</Typography>
        {windows.map((w, i) => (
          <Box key={i} sx={{ display: "flex", gap: 1, mt: 1 }}>
            <TextField size="small" type="datetime-local" label={`Window ${i + 1} start`} InputLabelProps={{ shrink: true }} value={w.start} onChange={(e) => setWindows((ws) => ws.map((x, j) => (j === i ? { ...x, start: e.target.value } : x)))} {...errorProps(errors, `constraints.windows.${i}.start`)} />
            <TextField size="small" type="datetime-local" label={`Window ${i + 1} end`} InputLabelProps={{ shrink: true }} value={w.end} onChange={(e) => setWindows((ws) => ws.map((x, j) => (j === i ? { ...x, end: e.target.value } : x)))} {...errorProps(errors, `constraints.windows.${i}.end`)} />
            <Button onClick={() => setWindows((ws) => ws.filter((_, j) => j !== i))}>Remove window {i + 1}</Button>
          </Box>
        ))}
        <Button size="small" onClick={() => setWindows((ws) => [...ws, { start: "", end: "" }])}>
          Add time window
        </Button>
      </Box>

      <Typography variant="h6" component="h2">
        Acceptance thresholds
      </Typography>
      <Paper variant="outlined" sx={{ p: 2, display: "grid", gap: 2, gridTemplateColumns: { md: "repeat(4, 1fr)" } }}>
        {(
          [
            ["maxFwhmArcsec", "Maximum FWHM (″)"],
            ["minStars", "Minimum stars"],
            ["maxEccentricity", "Maximum eccentricity"],
            ["minSnr", "Minimum SNR"],
          ] as const
        ).map(([key, label]) => (
          <TextField key={key} label={label} type="number" value={thresholds[key]} onChange={(e) => setThresholds((c) => ({ ...c, [key]: e.target.value }))} {...errorProps(errors, `thresholds.${key}`, "empty: no limit")} />
        ))}
      </Paper>

      {type !== "FLEXIBLE" && type !== "RISE_TO_SET" && (
        <>
          <Typography variant="h6" component="h2">
            {type.replace(/_/g, " ").toLowerCase()} settings
          </Typography>
          <Paper variant="outlined" sx={{ p: 2, display: "flex", gap: 2, flexWrap: "wrap" }}>
            {type === "FIXED_TIME" && (
              <>
                <TextField type="datetime-local" label="Fixed start (UTC)" InputLabelProps={{ shrink: true }} value={typeSettings.fixedStart} onChange={(e) => setTypeSettings((s) => ({ ...s, fixedStart: e.target.value }))} {...errorProps(errors, "typeSettings.fixedStart")} />
                <TextField type="datetime-local" label="Fixed end (UTC)" InputLabelProps={{ shrink: true }} value={typeSettings.fixedEnd} onChange={(e) => setTypeSettings((s) => ({ ...s, fixedEnd: e.target.value }))} {...errorProps(errors, "typeSettings.fixedEnd", "optional: sized from the plan")} />
              </>
            )}
            {type === "TIME_BASED" && (
              <>
                <TextField type="number" label="Allocated minutes" value={typeSettings.allocatedMinutes} onChange={(e) => setTypeSettings((s) => ({ ...s, allocatedMinutes: e.target.value }))} {...errorProps(errors, "typeSettings.allocatedMinutes")} />
                <FormControlLabel control={<Switch checked={typeSettings.fillTime} onChange={(e) => setTypeSettings((s) => ({ ...s, fillTime: e.target.checked }))} />} label="Fill the time with exposures" />
              </>
            )}
            {type === "MONITORING" && (
              <>
                <TextField type="number" label="Cadence (days)" value={typeSettings.cadenceDays} onChange={(e) => setTypeSettings((s) => ({ ...s, cadenceDays: e.target.value }))} {...errorProps(errors, "typeSettings.cadenceDays")} />
                <TextField type="datetime-local" label="Cadence start (UTC)" InputLabelProps={{ shrink: true }} value={typeSettings.cadenceStart} onChange={(e) => setTypeSettings((s) => ({ ...s, cadenceStart: e.target.value }))} {...errorProps(errors, "typeSettings.cadenceStart")} />
                <TextField type="datetime-local" label="Cadence end (UTC)" InputLabelProps={{ shrink: true }} value={typeSettings.cadenceEnd} onChange={(e) => setTypeSettings((s) => ({ ...s, cadenceEnd: e.target.value }))} {...errorProps(errors, "typeSettings.cadenceEnd")} />
                <TextField type="number" label="Maximum observations" value={typeSettings.cadenceMaxObservations} onChange={(e) => setTypeSettings((s) => ({ ...s, cadenceMaxObservations: e.target.value }))} {...errorProps(errors, "typeSettings.cadenceMaxObservations")} />
              </>
            )}
            <TextField type="number" label="Safety margin (minutes)" value={typeSettings.safetyMarginMinutes} onChange={(e) => setTypeSettings((s) => ({ ...s, safetyMarginMinutes: e.target.value }))} {...errorProps(errors, "typeSettings.safetyMarginMinutes", "default 15")} />
          </Paper>
        </>
      )}

      <Paper variant="outlined" sx={{ p: 2 }}>
        <FormLabel component="legend">Eligible observatories (none ticked: any that fits)</FormLabel>
        {context.fetching && !context.data ? (
          <Loading label="Loading observatories…" />
        ) : (
          <FormGroup row>
            {nodes(context.data?.observatories).map((o) => (
              <FormControlLabel
                key={o.id}
                control={
                  <Checkbox
                    checked={eligible.includes(o.id)}
                    onChange={(e) => setEligible((ids) => (e.target.checked ? [...ids, o.id] : ids.filter((x) => x !== o.id)))}
                  />
                }
                label={`${o.name} (${o.code})`}
              />
            ))}
            {context.data?.observatories.edges.length === 0 && <Typography color="text.secondary">No observatories visible to you.</Typography>}
          </FormGroup>
        )}
        {errors.eligibleObservatoryIds && <Alert severity="error">{errors.eligibleObservatoryIds}</Alert>}
      </Paper>

      <TextField label="Notes" multiline minRows={2} value={notes} onChange={(e) => setNotes(e.target.value)} {...errorProps(errors, "notes")} />
      <Divider />
      <Box sx={{ display: "flex", gap: 2 }}>
        {edit ? (
          <Button variant="contained" disabled={busy} onClick={() => void save(false)}>
            Save changes
          </Button>
        ) : (
          <>
            <Button type="submit" variant="contained" disabled={busy}>
              Create and submit
            </Button>
            <Button variant="outlined" disabled={busy} onClick={() => void save(false)}>
              Save as draft
            </Button>
          </>
        )}
        <Typography variant="body2" color="text.secondary" sx={{ alignSelf: "center" }}>
          {project ? `Organization ${project.organizationId.slice(-6)} · ${formatNumber(targets.length, 0)} target(s)` : ""}
        </Typography>
      </Box>
    </Stack>
  );
}
