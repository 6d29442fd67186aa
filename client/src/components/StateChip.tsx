import { Chip } from "@mui/material";
import type { ChipProps } from "@mui/material";
import { humanize } from "./format";

const COLOURS: Record<string, ChipProps["color"]> = {
  DRAFT: "default",
  PENDING: "info",
  ASSIGNED: "secondary",
  IN_PROGRESS: "primary",
  ACQUISITION_COMPLETE: "primary",
  COMPLETED: "success",
  PARTIALLY_COMPLETED: "warning",
  FAILED: "error",
  ABORTED: "error",
  CANCELLED: "default",
  EXPIRED: "default",
  SUSPENDED: "warning",
  PAUSED: "warning",
  DONE: "success",
  PROCESSING: "info",
  SAFE: "success",
  UNSAFE: "error",
  UNKNOWN: "warning",
};

export function StateChip({ state, testId }: { state: string; testId?: string }) {
  return (
    <Chip
      size="small"
      label={humanize(state)}
      color={COLOURS[state] ?? "default"}
      data-testid={testId}
      data-state={state}
    />
  );
}
