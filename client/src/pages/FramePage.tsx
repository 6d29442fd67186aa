import {
  Alert,
  Box,
  Button,
  Chip,
  FormControlLabel,
  Paper,
  Radio,
  RadioGroup,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import { useState } from "react";
import { Link as RouterLink, useParams } from "react-router-dom";
import { useMutation, useQuery } from "urql";
import { errorProps, toFieldErrors } from "../components/fieldErrors";
import type { FieldErrorMap } from "../components/fieldErrors";
import { Empty, ErrorState, Loading } from "../components/states";
import { StateChip } from "../components/StateChip";
import { formatDateTime, formatNumber, humanize } from "../components/format";
import { graphql } from "../gql";
import { useFrameEvents } from "../live";

const FRAME = graphql(`
  query FrameDetail($id: ID!) {
    frame(id: $id) {
      id
      observationId
      sequence
      state
      sizeBytes
      compressionRatio
      createdAt
      header
      downloadUrl
      previewUrl
      steps { step status error tries }
      metadata { width height filterName exposureS dateObs objectName instrument telescope ccdTempC gain xbinning }
      metrics {
        starsDetected starsMeasured fwhmPx fwhmArcsec hfrPx hfrArcsec eccentricity snr
        backgroundAdu backgroundNoiseAdu saturatedStars saturatedFraction pixelScaleArcsec aduMedian
      }
      solution { raDeg decDeg rotationDeg parity pixelScaleArcsec fieldWidthArcmin fieldHeightArcmin backend }
      grade { accepted overriddenBy overrideReason reasons { code metric value limit message } }
    }
  }
`);

const OVERRIDE = graphql(`
  mutation OverrideGrade($id: ID!, $accepted: Boolean!, $reason: String!) {
    overrideFrameGrade(input: { id: $id, accepted: $accepted, reason: $reason }) {
      __typename
      ... on Frame { id grade { accepted overriddenBy overrideReason } }
      ... on ValidationError { message fields { path message } }
      ... on Conflict { message }
      ... on Forbidden { message }
      ... on NotFound { message }
    }
  }
`);

const REPROCESS = graphql(`
  mutation ReprocessFrame($id: ID!) {
    reprocessFrame(input: { id: $id }) {
      __typename
      ... on Frame { id state }
      ... on ValidationError { message }
      ... on Conflict { message }
      ... on Forbidden { message }
      ... on NotFound { message }
    }
  }
`);

function Rows({ rows, label }: { rows: [string, string][]; label: string }) {
  return (
    <Table size="small" aria-label={label}>
      <TableBody>
        {rows.map(([k, v]) => (
          <TableRow key={k}>
            <TableCell component="th" scope="row">
              {k}
            </TableCell>
            <TableCell>{v}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

export function FramePage() {
  const { id = "" } = useParams();
  const [result, refetch] = useQuery({ query: FRAME, variables: { id } });
  const [, override] = useMutation(OVERRIDE);
  const [, reprocess] = useMutation(REPROCESS);
  const [accepted, setAccepted] = useState("accept");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<FieldErrorMap>({});
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);

  useFrameEvents((event) => {
    if (event.frameId === id) refetch({ requestPolicy: "network-only" });
  });

  const frame = result.data?.frame;
  if (result.error && !result.data) return <ErrorState error={result.error} />;
  if (!result.data) return <Loading label="Loading the frame…" />;
  if (!frame) return <ErrorState message="No such frame, or you may not see it." />;

  async function submitOverride() {
    setErrors({});
    setMessage(null);
    const answer = (await override({ id, accepted: accepted === "accept", reason })).data?.overrideFrameGrade;
    if (!answer) setMessage({ kind: "error", text: "The server gave no answer." });
    else if (answer.__typename === "Frame") setMessage({ kind: "success", text: "Grade overridden." });
    else if (answer.__typename === "ValidationError") {
      setErrors(toFieldErrors(answer.fields));
      setMessage({ kind: "error", text: answer.message });
    } else setMessage({ kind: "error", text: answer.message });
  }

  const m = frame.metrics;
  const s = frame.solution;
  const md = frame.metadata;
  return (
    <Stack spacing={3}>
      <Box sx={{ display: "flex", gap: 2, alignItems: "center", flexWrap: "wrap" }}>
        <Typography variant="h4" component="h1">
          Frame {frame.sequence ?? ""} <Typography component="span" color="text.secondary">{frame.id.slice(-8)}</Typography>
        </Typography>
        <StateChip state={frame.state} testId="frame-state" />
        {frame.grade && (
          <Chip color={frame.grade.accepted ? "success" : "error"} label={frame.grade.accepted ? "Accepted" : "Rejected"} data-testid="frame-grade" />
        )}
        <Box sx={{ flexGrow: 1 }} />
        {frame.observationId && (
          <Button component={RouterLink} to={`/observations/${frame.observationId}`}>
            Back to observation
          </Button>
        )}
        {frame.downloadUrl && (
          <Button variant="contained" href={frame.downloadUrl} download>
            Download .fits.fz
          </Button>
        )}
        <Button variant="outlined" onClick={async () => {
          const answer = (await reprocess({ id })).data?.reprocessFrame;
          setMessage(answer?.__typename === "Frame" ? { kind: "success", text: "Reprocessing." } : { kind: "error", text: answer?.message ?? "No answer." });
        }}>
          Reprocess
        </Button>
      </Box>
      {message && <Alert severity={message.kind} role={message.kind === "error" ? "alert" : "status"}>{message.text}</Alert>}

      <Box sx={{ display: "grid", gap: 3, gridTemplateColumns: { xs: "minmax(0, 1fr)", lg: "minmax(0, 3fr) minmax(0, 2fr)" } }}>
        <Paper variant="outlined" sx={{ p: 1, bgcolor: "black", display: "grid", placeItems: "center", minHeight: 300 }}>
          {frame.previewUrl ? (
            <Box component="img" src={frame.previewUrl} alt={`Stretched preview of frame ${frame.id.slice(-8)}`} sx={{ maxWidth: "100%", maxHeight: 600 }} />
          ) : (
            <Typography sx={{ color: "grey.300" }}>{frame.state === "PROCESSING" ? "The preview is being made…" : "No preview."}</Typography>
          )}
        </Paper>
        <Stack spacing={2}>
          <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="metrics-heading" data-testid="frame-metrics">
            <Typography variant="h6" component="h2" id="metrics-heading">
              Metrics
            </Typography>
            {m ? (
              <Rows
                label="Metrics"
                rows={[
                  ["Stars detected", String(m.starsDetected)],
                  ["Stars measured", String(m.starsMeasured)],
                  ["FWHM", `${formatNumber(m.fwhmPx)} px · ${formatNumber(m.fwhmArcsec)}″`],
                  ["HFR", `${formatNumber(m.hfrPx)} px · ${formatNumber(m.hfrArcsec)}″`],
                  ["Eccentricity", formatNumber(m.eccentricity)],
                  ["SNR", formatNumber(m.snr, 1)],
                  ["Background", `${formatNumber(m.backgroundAdu, 1)} ± ${formatNumber(m.backgroundNoiseAdu, 1)} ADU`],
                  ["Saturated stars", `${m.saturatedStars} (${formatNumber(100 * m.saturatedFraction, 3)} % pixels)`],
                  ["Pixel scale", `${formatNumber(m.pixelScaleArcsec)}″/px`],
                ]}
              />
            ) : (
              <Empty>{frame.state === "PROCESSING" ? "Measuring…" : "No metrics."}</Empty>
            )}
          </Paper>
          <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="grade-heading">
            <Typography variant="h6" component="h2" id="grade-heading">
              Grade
            </Typography>
            {frame.grade ? (
              <>
                {frame.grade.reasons.map((r) => (
                  <Typography key={r.code + r.metric} variant="body2">
                    {r.message}
                  </Typography>
                ))}
                {frame.grade.overriddenBy && (
                  <Typography variant="body2">
                    Overridden by {frame.grade.overriddenBy}: {frame.grade.overrideReason}
                  </Typography>
                )}
              </>
            ) : (
              <Empty>Not graded yet.</Empty>
            )}
            <Box component="form" onSubmit={(e) => { e.preventDefault(); void submitOverride(); }} sx={{ mt: 1, display: "grid", gap: 1 }} aria-label="Override the grade">
              <RadioGroup row value={accepted} onChange={(e) => setAccepted(e.target.value)} aria-label="Verdict">
                <FormControlLabel value="accept" control={<Radio />} label="Accept" />
                <FormControlLabel value="reject" control={<Radio />} label="Reject" />
              </RadioGroup>
              <TextField size="small" label="Reason for the override" value={reason} onChange={(e) => setReason(e.target.value)} {...errorProps(errors, "reason")} />
              <Button type="submit" variant="outlined">
                Override grade
              </Button>
            </Box>
          </Paper>
        </Stack>
      </Box>

      <Box sx={{ display: "grid", gap: 3, gridTemplateColumns: { xs: "minmax(0, 1fr)", lg: "minmax(0, 1fr) minmax(0, 1fr) minmax(0, 2fr)" } }}>
        <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="solution-heading">
          <Typography variant="h6" component="h2" id="solution-heading">
            Plate solution
          </Typography>
          {s ? (
            <Rows
              label="Plate solution"
              rows={[
                ["Centre", `RA ${formatNumber(s.raDeg, 4)}° Dec ${formatNumber(s.decDeg, 4)}°`],
                ["Rotation", `${formatNumber(s.rotationDeg, 1)}° (${s.parity})`],
                ["Pixel scale", `${formatNumber(s.pixelScaleArcsec, 3)}″/px`],
                ["Field", `${formatNumber(s.fieldWidthArcmin, 1)}′ × ${formatNumber(s.fieldHeightArcmin, 1)}′`],
                ["Solver", s.backend],
              ]}
            />
          ) : (
            <Empty>Not solved.</Empty>
          )}
        </Paper>
        <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="frame-info-heading">
          <Typography variant="h6" component="h2" id="frame-info-heading">
            Frame
          </Typography>
          <Rows
            label="Frame"
            rows={[
              ["Uploaded", formatDateTime(frame.createdAt)],
              ["Observed", formatDateTime(md?.dateObs)],
              ["Object", md?.objectName ?? "—"],
              ["Filter · exposure", `${md?.filterName ?? "—"} · ${md?.exposureS ?? "—"} s`],
              ["Size", md ? `${md.width} × ${md.height} (bin ${md.xbinning})` : "—"],
              ["Stored", `${(frame.sizeBytes / 1e6).toFixed(1)} MB, ratio ${formatNumber(frame.compressionRatio)}`],
              ["Steps", frame.steps.map((st) => `${humanize(st.step)} ${st.status.toLowerCase()}`).join(", ")],
            ]}
          />
        </Paper>
        <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="header-heading">
          <Typography variant="h6" component="h2" id="header-heading">
            FITS header
          </Typography>
          {frame.header ? (
            <Box component="pre" tabIndex={0} aria-label="FITS header" sx={{ maxHeight: 320, overflow: "auto", fontSize: 12, m: 0 }}>
              {frame.header}
            </Box>
          ) : (
            <Empty>No header.</Empty>
          )}
        </Paper>
      </Box>
    </Stack>
  );
}
