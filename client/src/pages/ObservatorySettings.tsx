import { Alert, Box, Button, Paper, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from "@mui/material";
import { useState } from "react";
import { useMutation } from "urql";
import { errorProps, toFieldErrors, unplacedErrors } from "../components/fieldErrors";
import type { FieldErrorMap } from "../components/fieldErrors";
import { Empty } from "../components/states";
import { humanize } from "../components/format";
import { graphql } from "../gql";
import { HorizonEditor } from "./ObservatoriesPage";
import type { HorizonRow } from "./ObservatoriesPage";

const UPDATE_OBSERVATORY = graphql(`
  mutation UpdateObservatory($input: UpdateObservatoryInput!) {
    updateObservatory(input: $input) {
      __typename
      ... on Observatory {
        id
        horizon { azimuthDeg altitudeDeg }
        equipment { apertureMm focalLengthMm pixelSizeUm sensorWidthPx sensorHeightPx filters binningModes readoutModes pixelScaleArcsec fieldOfViewArcmin }
      }
      ... on ValidationError { message fields { path message } }
      ... on Conflict { message }
      ... on Forbidden { message }
      ... on NotFound { message }
    }
  }
`);

export interface EditableEquipment {
  apertureMm?: number | null;
  focalLengthMm?: number | null;
  pixelSizeUm?: number | null;
  sensorWidthPx?: number | null;
  sensorHeightPx?: number | null;
  filters: readonly string[];
  binningModes: readonly number[];
  readoutModes: readonly string[];
}

interface Props {
  observatoryId: string;
  horizon: readonly { azimuthDeg: number; altitudeDeg: number }[];
  equipment: EditableEquipment;
  onSaved: () => void;
}

const NUMBERS = [
  ["apertureMm", "Aperture (mm)"],
  ["focalLengthMm", "Focal length (mm)"],
  ["pixelSizeUm", "Pixel size (µm)"],
  ["sensorWidthPx", "Sensor width (px)"],
  ["sensorHeightPx", "Sensor height (px)"],
] as const;

type NumberField = (typeof NUMBERS)[number][0];

function text(value: number | null | undefined): string {
  return value === null || value === undefined ? "" : String(value);
}

function number(value: string): number | null {
  return value.trim() === "" ? null : Number(value);
}

/** The form that changes an observatory's equipment and horizon mask (its administrators). */
export function ObservatorySettingsEditor({ observatoryId, horizon, equipment, onSaved }: Props) {
  const [open, setOpen] = useState(false);
  const [numbers, setNumbers] = useState<Record<NumberField, string>>(() => ({
    apertureMm: text(equipment.apertureMm),
    focalLengthMm: text(equipment.focalLengthMm),
    pixelSizeUm: text(equipment.pixelSizeUm),
    sensorWidthPx: text(equipment.sensorWidthPx),
    sensorHeightPx: text(equipment.sensorHeightPx),
  }));
  const [filters, setFilters] = useState(equipment.filters.join(", "));
  const [rows, setRows] = useState<HorizonRow[]>(() =>
    horizon.map((p) => ({ azimuthDeg: String(p.azimuthDeg), altitudeDeg: String(p.altitudeDeg) })),
  );
  const [errors, setErrors] = useState<FieldErrorMap>({});
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [{ fetching }, update] = useMutation(UPDATE_OBSERVATORY);

  async function save() {
    setErrors({});
    setMessage(null);
    const answer = (
      await update({
        input: {
          id: observatoryId,
          horizon: rows.map((r) => ({ azimuthDeg: Number(r.azimuthDeg), altitudeDeg: Number(r.altitudeDeg) })),
          equipment: {
            apertureMm: number(numbers.apertureMm),
            focalLengthMm: number(numbers.focalLengthMm),
            pixelSizeUm: number(numbers.pixelSizeUm),
            sensorWidthPx: number(numbers.sensorWidthPx),
            sensorHeightPx: number(numbers.sensorHeightPx),
            filters: filters.split(",").map((f) => f.trim()).filter(Boolean),
            binningModes: [...equipment.binningModes],
            readoutModes: [...equipment.readoutModes],
          },
        },
      })
    ).data?.updateObservatory;
    if (answer?.__typename === "Observatory") {
      setMessage({ kind: "success", text: "Equipment and horizon saved." });
      setOpen(false);
      onSaved();
    } else if (answer?.__typename === "ValidationError") {
      const map = toFieldErrors(answer.fields);
      setErrors(map);
      const shown = (path: string) => path.startsWith("horizon.") || NUMBERS.some(([key]) => path === `equipment.${key}`);
      const rest = unplacedErrors(map, shown);
      setMessage({ kind: "error", text: [answer.message, ...rest].join(" · ") });
    } else setMessage({ kind: "error", text: answer?.message ?? "The server gave no answer." });
  }

  return (
    <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="settings-heading">
      <Box sx={{ display: "flex", alignItems: "center", gap: 2 }}>
        <Typography variant="h6" component="h2" id="settings-heading" sx={{ flexGrow: 1 }}>
          Equipment and horizon settings
        </Typography>
        <Button variant="outlined" onClick={() => setOpen((v) => !v)} aria-expanded={open}>
          {open ? "Close the editor" : "Edit equipment and horizon"}
        </Button>
      </Box>
      {message && (
        <Alert severity={message.kind} role={message.kind === "error" ? "alert" : "status"} sx={{ mt: 2 }}>
          {message.text}
        </Alert>
      )}
      {open && (
        <Box component="form" noValidate aria-label="Equipment and horizon" onSubmit={(ev) => { ev.preventDefault(); void save(); }} sx={{ mt: 2, display: "grid", gap: 2 }}>
          <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { md: "repeat(3, 1fr)" } }}>
            {NUMBERS.map(([key, label]) => (
              <TextField key={key} size="small" type="number" label={label} value={numbers[key]} onChange={(ev) => setNumbers((n) => ({ ...n, [key]: ev.target.value }))} {...errorProps(errors, `equipment.${key}`)} />
            ))}
            <TextField size="small" label="Filters (comma-separated)" value={filters} onChange={(ev) => setFilters(ev.target.value)} {...errorProps(errors, "equipment.filters")} />
          </Box>
          <HorizonEditor rows={rows} onChange={setRows} errors={errors} />
          <Box>
            <Button type="submit" variant="contained" disabled={fetching}>
              Save equipment and horizon
            </Button>
          </Box>
        </Box>
      )}
    </Paper>
  );
}

export interface MemberRow {
  user: { id: string; email: string; fullName: string };
  isOwner?: boolean;
  permissions: readonly string[];
}

/** A table of members: name, e-mail and permissions. */
export function MemberTable({ members, label }: { members: readonly MemberRow[]; label: string }) {
  if (members.length === 0) return <Empty>No members listed.</Empty>;
  return (
    <Table size="small" aria-label={label}>
      <TableHead>
        <TableRow>
          <TableCell>Name</TableCell>
          <TableCell>E-mail</TableCell>
          <TableCell>Permissions</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {members.map((m) => (
          <TableRow key={m.user.id}>
            <TableCell>{m.user.fullName || "—"}</TableCell>
            <TableCell>{m.user.email}</TableCell>
            <TableCell>{m.isOwner ? "Owner (all)" : m.permissions.map(humanize).join(", ") || "—"}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
